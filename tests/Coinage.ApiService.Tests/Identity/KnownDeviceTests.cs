using System.Net;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Devices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>Issue 21, item 9a: a sign-in from a device not seen before is emailed, and the devices are listed.</summary>
public sealed class KnownDeviceTests(InfrastructureFixture infrastructure)
{
    private const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
    private const string NewSignIns = "SELECT count(*) FROM outbox_messages WHERE type = 'email.new_sign_in' AND payload->>'to' = @e";

    private static readonly IPAddress Proxy = IPAddress.Parse("10.1.2.3");

    /// <summary>Signs in as the web front end does (<c>useCookie</c>), with the device cookie when given; answers the device cookie set.</summary>
    private static async Task<(string Access, string DeviceCookie)> BrowserSignInAsync(IdentityTestClient client, string email, string? deviceCookie, string userAgent = Firefox)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/auth/login", UriKind.Relative))
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { email, password = Password, useCookie = true }),
        };
        request.Headers.UserAgent.ParseAdd(userAgent);
        if (deviceCookie is not null)
        {
            request.Headers.Add("Cookie", $"{DeviceRecognition.DeviceCookie}={deviceCookie}");
        }
        using var response = await client.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(DeviceRecognition.DeviceCookie + "=", StringComparison.Ordinal));
        // The device cookie is the browser's to keep and only the sign-in's to read.
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/api/v1/auth", setCookie, StringComparison.OrdinalIgnoreCase);
        var value = setCookie.Split(';')[0][(DeviceRecognition.DeviceCookie.Length + 1)..];
        return ((await JsonAsync(response)).GetProperty("accessToken").GetString()!, value);
    }

    [Fact]
    public async Task A_browser_is_known_by_its_device_cookie_and_a_forgotten_device_is_new_again()
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var email = NewEmail();
        await client.RegisterAsync(email);

        // The first sign-in after registration is no news.
        var (_, laptop) = await BrowserSignInAsync(client, email, deviceCookie: null);
        Assert.Equal(0, await client.CountAsync(NewSignIns, ("e", email)));
        var (_, kept) = await BrowserSignInAsync(client, email, laptop);
        Assert.Equal(laptop, kept);
        Assert.Equal(0, await client.CountAsync(NewSignIns, ("e", email)));

        // The same browser and address without the cookie: another device (a User-Agent alone would have said "known").
        var (access, other) = await BrowserSignInAsync(client, email, deviceCookie: null);
        Assert.NotEqual(laptop, other);
        Assert.Equal(1, await client.CountAsync(NewSignIns, ("e", email)));
        var sent = await client.LastEmailAsync(email, IdentityEmails.NewSignIn);
        Assert.Equal("Firefox on Linux", sent.GetProperty("data").GetProperty("device").GetString());
        // The cookie in another browser family is another device too.
        await BrowserSignInAsync(client, email, laptop, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36");
        Assert.Equal(2, await client.CountAsync(NewSignIns, ("e", email)));

        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/account/devices", access))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            var devices = (await JsonAsync(list)).EnumerateArray().ToList();
            Assert.Equal(3, devices.Count);
            Assert.Equal(["Chrome on Windows", "Firefox on Linux", "Firefox on Linux"], devices.Select(d => d.GetProperty("label").GetString()).Order(StringComparer.Ordinal));
            Assert.All(devices, d => Assert.Equal("browser", d.GetProperty("kind").GetString()));
            Assert.All(devices, d => Assert.True(d.GetProperty("lastSeenAt").GetDateTimeOffset() >= d.GetProperty("firstSeenAt").GetDateTimeOffset()));
        }
        var seenTwice = await client.CountAsync("SELECT count(*) FROM known_devices d JOIN users u ON u.id = d.user_id WHERE u.email = @e AND d.last_seen_at > d.first_seen_at", ("e", email));
        Assert.Equal(1, seenTwice); // the laptop
        string forget;
        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/account/devices", access))
        {
            forget = (await JsonAsync(list)).EnumerateArray()
                .Single(d => d.GetProperty("lastSeenAt").GetDateTimeOffset() > d.GetProperty("firstSeenAt").GetDateTimeOffset()).GetProperty("id").GetString()!;
        }

        // Somebody else cannot forget it; its owner can, and the next sign-in from it is new again.
        var (stranger, _) = await client.SignedInUserAsync(NewEmail("stranger"));
        using (var notYours = await client.SendAsync(HttpMethod.Delete, $"/api/v1/account/devices/{forget}", stranger))
        {
            Assert.Equal(HttpStatusCode.NotFound, notYours.StatusCode);
        }
        using (var forgotten = await client.SendAsync(HttpMethod.Delete, $"/api/v1/account/devices/{forget}", access))
        {
            Assert.Equal(HttpStatusCode.NoContent, forgotten.StatusCode);
        }
        using (var again = await client.SendAsync(HttpMethod.Delete, $"/api/v1/account/devices/{forget}", access))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
        await BrowserSignInAsync(client, email, laptop);
        Assert.Equal(3, await client.CountAsync(NewSignIns, ("e", email)));
        Assert.Equal(1, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE u.email = @e AND a.action = 'auth.device_forgotten'", ("e", email)));
    }

    [Fact]
    public async Task A_program_is_known_by_its_user_agent_and_network()
    {
        // Every connection comes from a configured proxy, which passes on each request's client address.
        await using var factory = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:ForwardedHeaders:KnownProxies"] = Proxy.ToString() },
            builder => builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new ConnectionFrom(Proxy))));
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var email = NewEmail();
        await client.RegisterAsync(email);
        async Task SignInAsync(string userAgent, string from)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/auth/login", UriKind.Relative))
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { email, password = Password }),
            };
            request.Headers.UserAgent.ParseAdd(userAgent);
            request.Headers.Add("X-Forwarded-For", from);
            using var response = await client.Http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(DeviceRecognition.DeviceCookie, StringComparison.Ordinal)));
        }

        await SignInAsync("coinage-bot/1.0", "203.0.113.1");
        await SignInAsync("coinage-bot/1.0", "203.0.113.77"); // the same network
        Assert.Equal(0, await client.CountAsync(NewSignIns, ("e", email)));
        await SignInAsync("coinage-bot/1.0", "198.51.100.1"); // the same program elsewhere
        Assert.Equal(1, await client.CountAsync(NewSignIns, ("e", email)));
        var sent = (await client.LastEmailAsync(email, IdentityEmails.NewSignIn)).GetProperty("data");
        Assert.Equal("coinage-bot/1.0", sent.GetProperty("device").GetString());
        Assert.Equal("198.51.100.1", sent.GetProperty("ipAddress").GetString());
        await SignInAsync("coinage-bot/2.0", "203.0.113.1"); // another program at home
        Assert.Equal(2, await client.CountAsync(NewSignIns, ("e", email)));
        Assert.Equal(3, await client.CountAsync("SELECT count(*) FROM known_devices d JOIN users u ON u.id = d.user_id WHERE u.email = @e AND d.kind = 'client'", ("e", email)));
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.200", "203.0.113.0/24")]
    [InlineData("2001:db8:1234:5678::1", "2001:db8:1234::/48")]
    [InlineData(null, "unknown")]
    public void A_programs_address_counts_by_its_network(string? ip, string network) =>
        Assert.Equal(network, DeviceRecognition.Network(ip));

    [Theory]
    [InlineData(Firefox, "Firefox on Linux")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36 Edg/150.0.0.0", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", "Safari on iOS")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/150.0.0.0 Safari/537.36", "Chrome on macOS")]
    [InlineData("Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Mobile Safari/537.36", "Chrome on Android")]
    [InlineData("curl/8.5.0", "Unknown browser")]
    public void A_browser_family_leaves_out_versions(string userAgent, string family) =>
        Assert.Equal(family, UserAgentFamily.Describe(userAgent));
}
