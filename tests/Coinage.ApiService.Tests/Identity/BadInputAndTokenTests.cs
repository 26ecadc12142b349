using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

public sealed class BadInputAndTokenTests(InfrastructureFixture infrastructure)
{
    public static TheoryData<string, string, string> BadBodies => new()
    {
        // path, raw body, the field the problem must name
        { "/api/v1/auth/register", "{\"email\": \"a@b.test\", \"password\": ", "password" },
        { "/api/v1/auth/register", "{\"email\": 42, \"password\": \"x\"}", "email" },
        { "/api/v1/auth/register", "{\"email\": \"a@b.test\", \"acceptTerms\": \"yes\"}", "acceptTerms" },
        { "/api/v1/auth/register", "{}", "email" },
        { "/api/v1/auth/register", "{}", "password" },
        { "/api/v1/auth/register", "{\"email\": \"' OR 1=1 --@x.test\"}", "email" },
        { "/api/v1/auth/register", "{\"email\": \"<script>alert(1)</script>@x.test\"}", "email" },
        { "/api/v1/auth/register", "{\"email\": \"a\\u0000b@x.test\"}", "email" },
        { "/api/v1/auth/register", "{\"email\": \"" + new string('a', 300) + "@x.test\"}", "email" },
        { "/api/v1/auth/login", "{\"email\": \"a@b.test\", \"password\": \"" + new string('p', 200) + "\"}", "password" },
        { "/api/v1/auth/login", "[1,2,3]", "body" },
        { "/api/v1/auth/verify-email", "{\"userId\": \"1; DROP TABLE users\", \"token\": \"x\"}", "userId" },
        { "/api/v1/auth/reset-password", "{\"userId\": \"" + Guid.Empty + "\", \"token\": \"x\", \"newPassword\": \"a\\tb\"}", "newPassword" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_a_400_problem_naming_the_field_and_stores_nothing(string path, string body, string field)
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var usersBefore = await client.CountAsync("SELECT count(*) FROM users");
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.Http.PostAsync(new Uri(path, UriKind.Relative), content, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        // Other tests may register meanwhile; none of these payloads' addresses may exist.
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM users WHERE email LIKE '%x.test' OR email = 'a@b.test'"));
        Assert.True(await client.CountAsync("SELECT count(*) FROM users") >= usersBefore);
    }

    [Fact]
    public async Task A_script_payload_is_refused_as_an_anti_phishing_phrase_and_a_plain_one_is_kept()
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var (access, _) = await client.SignedInUserAsync(NewEmail());
        using (var script = await client.SendAsync(HttpMethod.Put, "/api/v1/account/anti-phishing-phrase", access, new { phrase = "<script>alert(1)</script>" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, script.StatusCode);
            Assert.True((await JsonAsync(script)).GetProperty("errors").TryGetProperty("phrase", out _));
        }
        using (var plain = await client.SendAsync(HttpMethod.Put, "/api/v1/account/anti-phishing-phrase", access, new { phrase = "blue harbour 7" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, plain.StatusCode);
        }
        using var profile = await client.SendAsync(HttpMethod.Get, "/api/v1/account/profile", access);
        Assert.Equal("blue harbour 7", (await JsonAsync(profile)).GetProperty("antiPhishingPhrase").GetString());
    }

    public static TheoryData<string> BadTokenKinds => ["expired", "alg-none", "other-key", "other-audience", "other-issuer", "tampered", "garbage", "no-session"];

    [Theory]
    [MemberData(nameof(BadTokenKinds))]
    public async Task Bad_tokens_are_401(string kind)
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var (access, _) = await client.SignedInUserAsync(NewEmail());
        Assert.Equal(HttpStatusCode.OK, await client.ProfileStatusAsync(access));
        var claims = new JsonWebTokenHandler().ReadJsonWebToken(access);
        var sub = claims.Subject;
        var sid = claims.GetClaim("sid").Value;
        var token = kind switch
        {
            "expired" => Sign(sub, sid, ApiFactory.JwtSigningKey, "coinage-api", "coinage", DateTime.UtcNow.AddMinutes(-30)),
            "alg-none" => Unsigned(sub, sid),
            "other-key" => Sign(sub, sid, "another-signing-key-that-is-long-enough-0123456789", "coinage-api", "coinage"),
            "other-audience" => Sign(sub, sid, ApiFactory.JwtSigningKey, "someone-else", "coinage"),
            "other-issuer" => Sign(sub, sid, ApiFactory.JwtSigningKey, "coinage-api", "evil"),
            "tampered" => Tamper(access),
            "garbage" => "not.a.jwt",
            "no-session" => Sign(sub, null, ApiFactory.JwtSigningKey, "coinage-api", "coinage"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        Assert.Equal(HttpStatusCode.Unauthorized, await client.ProfileStatusAsync(token));
    }

    [Fact]
    public async Task A_token_signed_with_a_previous_key_still_validates_after_rotation()
    {
        const string oldKey = "the-previous-signing-key-0123456789-abcdefghijkl";
        await using var before = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Jwt:SigningKey"] = oldKey, ["Coinage:Jwt:SigningKeyId"] = "old" });
        var client = new IdentityTestClient(before.CreateClient(), infrastructure.PostgresConnectionString);
        var (access, _) = await client.SignedInUserAsync(NewEmail());
        Assert.Equal("old", new JsonWebTokenHandler().ReadJsonWebToken(access).Kid);

        await using var after = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Jwt:PreviousKeys:old"] = oldKey });
        var rotated = new IdentityTestClient(after.CreateClient(), infrastructure.PostgresConnectionString);
        Assert.Equal(HttpStatusCode.OK, await rotated.ProfileStatusAsync(access));
        await using var forgotten = new ApiFactory(infrastructure);
        Assert.Equal(HttpStatusCode.Unauthorized, await new IdentityTestClient(forgotten.CreateClient(), infrastructure.PostgresConnectionString).ProfileStatusAsync(access));
    }

    [Fact]
    public async Task Responses_carry_the_security_headers_and_cors_is_closed()
    {
        await using var factory = new ApiFactory(infrastructure);
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/api/v1/status", UriKind.Relative), Ct);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());

        using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri("/api/v1/auth/login", UriKind.Relative));
        preflight.Headers.Add("Origin", "https://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-coinage-csrf");
        using var answer = await client.SendAsync(preflight, Ct);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_openapi_document_describes_every_identity_endpoint_with_its_errors()
    {
        await using var factory = new ApiFactory(infrastructure);
        using var client = factory.CreateClient();
        using var document = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct));
        var paths = document.RootElement.GetProperty("paths");
        string[] expected =
        [
            "/api/v1/auth/register", "/api/v1/auth/verify-email", "/api/v1/auth/resend-verification", "/api/v1/auth/login",
            "/api/v1/auth/login/2fa", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/forgot-password",
            "/api/v1/auth/reset-password", "/api/v1/account/profile", "/api/v1/account/password", "/api/v1/account/2fa/setup",
            "/api/v1/account/2fa/enable", "/api/v1/account/2fa/disable", "/api/v1/account/2fa/recovery-codes",
            "/api/v1/account/sessions", "/api/v1/account/sessions/{id}", "/api/v1/account/sessions/revoke-others",
            "/api/v1/account/anti-phishing-phrase", "/api/v1/account/trading-eligibility",
            "/api/v1/account/step-up", "/api/v1/account/step-up/passkey/options", "/api/v1/account/devices", "/api/v1/account/devices/{id}",
            "/api/v1/admin/users", "/api/v1/admin/users/{id}/lock", "/api/v1/admin/users/{id}/unlock", "/api/v1/admin/users/{id}/roles/{role}",
            "/api/v1/audit", "/api/v1/audit/verify",
        ];
        foreach (var path in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), path);
            foreach (var operation in item.EnumerateObject())
            {
                var codes = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
                Assert.True(codes.Any(c => c.StartsWith('4')), $"{operation.Name} {path} documents no error");
            }
        }
    }

    private static string Sign(string sub, string? sid, string key, string audience, string issuer, DateTime? expires = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = sub, ["role"] = new[] { "Trader" }, ["email_verified"] = true };
        if (sid is not null)
        {
            claims["sid"] = sid;
        }
        var exp = expires ?? DateTime.UtcNow.AddMinutes(5);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = exp.AddMinutes(-10),
            NotBefore = exp.AddMinutes(-10),
            Expires = exp,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Coinage.ApiService.Identity.Tokens.SigningKeys.DeriveKeyBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    private static string Unsigned(string sub, string sid)
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
            B64($"{{\"sub\":\"{sub}\",\"sid\":\"{sid}\",\"iss\":\"coinage\",\"aud\":\"coinage-api\",\"exp\":{exp},\"role\":[\"Admin\"]}}") + ".";
    }

    /// <summary>Same signature, payload changed: the role claim raised to Admin.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"Trader\"", "\"Admin\"", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }
}
