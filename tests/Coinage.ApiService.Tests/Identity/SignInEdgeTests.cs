using System.Net;
using Coinage.ApiService.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>Issue 21, items 3 and 4: a 2FA challenge completes one sign-in; a cookie refresh comes from our own origin.</summary>
public sealed class SignInEdgeTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task A_two_factor_challenge_completes_one_sign_in_even_with_a_later_code()
    {
        var clock = new ShiftedTimeProvider();
        await using var factory = new ApiFactory(infrastructure);
        await using var shifted = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        var client = new IdentityTestClient(shifted.CreateClient(), infrastructure.PostgresConnectionString);
        var email = NewEmail();
        var (access, refresh) = await client.SignedInUserAsync(email);
        var (_, _, secret) = await client.EnrolSecondFactorAsync(access, refresh);
        var challenge = (await client.LoginAsync(email)).GetProperty("challengeToken").GetString()!;

        // A mistyped code does not cost the challenge…
        using (var wrong = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge, code = Totp(secret, 1) == "000000" ? "111111" : "000000" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var ok = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge, code = Totp(secret, 1) }))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        // …but a completed one is spent, even with a code of a later time step, well within its 5 minutes.
        clock.Offset = TimeSpan.FromSeconds(60);
        using (var replay = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge, code = Totp(secret, 3) }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
            Assert.Equal(ErrorCodes.InvalidToken, await CodeAsync(replay));
        }
        // The refused replay did not spend that code: a fresh challenge takes it.
        var fresh = (await client.LoginAsync(email)).GetProperty("challengeToken").GetString()!;
        using (var next = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = fresh, code = Totp(secret, 3) }))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }
    }

    [Fact]
    public async Task The_cookie_refresh_answers_our_own_origin_and_configured_ones_only()
    {
        await using var factory = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Cors:AllowedOrigins:0"] = "https://app.coinage.example" });
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var email = NewEmail();
        await client.RegisterAsync(email);
        using var login = await client.PostAsync("/api/v1/auth/login", new { email, password = Password, useCookie = true });
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthService.RefreshCookie + "=", StringComparison.Ordinal)).Split(';')[0];

        async Task<HttpResponseMessage> RefreshAsync(string? origin, string? fetchSite)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/auth/refresh", UriKind.Relative));
            request.Headers.Add("Cookie", cookie);
            request.Headers.Add(AuthService.CsrfHeader, "1");
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }
            if (fetchSite is not null)
            {
                request.Headers.Add("Sec-Fetch-Site", fetchSite);
            }
            return await client.Http.SendAsync(request, Ct);
        }

        foreach (var (origin, site) in new (string?, string?)[] { ("https://evil.example", null), ("https://evil.example", "cross-site"), (null, "cross-site"), ("null", null), ("https://coinage.example.evil.example", "same-site") })
        {
            using var refused = await RefreshAsync(origin, site);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal(ErrorCodes.OriginNotAllowed, await CodeAsync(refused));
            Assert.False(refused.Headers.Contains("Set-Cookie")); // nothing rotated
        }
        // The web front end (same origin through its proxy), a configured origin: the cookie rotates.
        foreach (var (origin, site) in new (string?, string?)[] { ("http://127.0.0.1:5000", "same-origin"), ("https://app.coinage.example", "cross-site") })
        {
            using var accepted = await RefreshAsync(origin, site);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            cookie = Assert.Single(accepted.Headers.GetValues("Set-Cookie"), c => c.StartsWith(AuthService.RefreshCookie + "=", StringComparison.Ordinal)).Split(';')[0];
        }
    }
}
