using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Coinage.ApiService.Tests.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Errors;

/// <summary>Issue 19, defect 8: errors that answered 500 (or not in JSON) instead of a 4xx problem.</summary>
public sealed class ErrorAnswerTests(InfrastructureFixture infrastructure)
{
    public static TheoryData<string> OddAccepts => ["application/xml", "text/html", "*/*;q=0", "garbage", "application/json;q=0"];

    [Theory]
    [MemberData(nameof(OddAccepts))]
    public async Task A_trader_asking_an_admin_endpoint_for_another_format_gets_a_json_403(string accept)
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var (access, _) = await client.SignedInUserAsync(NewEmail("trader"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/admin/users", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await client.Http.SendAsync(request, Ct);

        var problem = await ProblemAnswer.AssertAsync(response, 403);
        Assert.Equal("forbidden", problem.GetProperty("code").GetString());
    }

    /// <summary>The answers the endpoints do not write themselves: routing's, authentication's, the body readers', the size limit's.</summary>
    [Fact]
    public async Task Bare_error_statuses_are_json_problem_details_whatever_the_accept_header()
    {
        await using var factory = new ApiFactory(infrastructure);
        factory.UseKestrel(0);
        factory.StartServer();
        using var http = factory.CreateClient();
        var cases = new (string What, HttpMethod Method, string Path, string? Token, string? ContentType, string? Body, int Status)[]
        {
            ("unknown route", HttpMethod.Get, "/api/v1/no-such-thing", null, null, null, 404),
            ("unknown path outside the API", HttpMethod.Get, "/wp-admin/setup.php", null, null, null, 404),
            ("method not allowed", HttpMethod.Delete, "/api/v1/status", null, null, null, 405),
            ("no token", HttpMethod.Get, "/api/v1/account/profile", null, null, null, 401),
            ("garbage token", HttpMethod.Get, "/api/v1/account/profile", "not.a.jwt", null, null, 401),
            ("text body", HttpMethod.Post, "/api/v1/auth/login", null, "text/plain", "email=a", 415),
            ("xml body", HttpMethod.Post, "/api/v1/auth/login", null, "application/xml", "<login/>", 415),
            ("malformed JSON", HttpMethod.Post, "/api/v1/auth/login", null, "application/json", "{\"email\":", 400),
            ("body over the limit", HttpMethod.Post, "/api/v1/auth/login", null, "application/json", "\"" + new string('x', 70_000) + "\"", 413),
        };
        var violations = new List<string>();
        foreach (var accept in new[] { "application/json", "application/xml", "text/html", "*/*;q=0", "garbage", null })
        {
            foreach (var (what, method, path, token, contentType, body, status) in cases)
            {
                using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
                if (accept is not null)
                {
                    request.Headers.TryAddWithoutValidation("Accept", accept);
                }
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8);
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
                }
                using var response = await http.SendAsync(request, Ct);
                var text = await response.Content.ReadAsStringAsync(Ct);
                if ((int)response.StatusCode != status)
                {
                    violations.Add($"{what}, Accept {accept ?? "none"}: {(int)response.StatusCode}, expected {status}");
                }
                else if (ProblemAnswer.Violation(status, response.Content.Headers.ContentType, text) is { } violation)
                {
                    violations.Add($"{what}, Accept {accept ?? "none"}: {violation}");
                }
            }
        }
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    /// <summary>Without a Content-Length the limit is Kestrel's, enforced while the body is read: its 413 must be a problem too.</summary>
    [Theory]
    [MemberData(nameof(OddAccepts))]
    public async Task A_chunked_body_over_the_limit_is_a_json_413(string accept)
    {
        await using var factory = new ApiFactory(infrastructure);
        factory.UseKestrel(0);
        factory.StartServer();
        using var factoryClient = factory.CreateClient();
        // A plain handler: the factory's client buffers request bodies (to follow redirects), which gives them a length.
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = factoryClient.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/auth/login", UriKind.Relative))
        {
            Content = new ChunkedContent("{\"email\":\"" + new string('x', 70_000) + "\"}"),
        };
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await http.SendAsync(request, Ct);

        Assert.Null(request.Content.Headers.ContentLength);
        await ProblemAnswer.AssertAsync(response, 413);
    }

    public static TheoryData<string, string> NulInQuery => new()
    {
        { "/api/v1/search/orders?market=BTC%00USD", "market" },
        { "/api/v1/search/trades?market=%00", "market" },
        { "/api/v1/search/orders?q=a%00b", "q" },
    };

    [Theory]
    [MemberData(nameof(NulInQuery))]
    public async Task A_nul_in_a_search_parameter_is_a_400_naming_the_parameter(string target, string field)
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var (access, _) = await client.SignedInUserAsync(NewEmail("trader"));

        using var response = await client.SendAsync(HttpMethod.Get, target, access);

        var problem = await ProblemAnswer.AssertAsync(response, 400);
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    public static TheoryData<string> BadSubjects => ["missing", "empty", "not-a-user-id", "unknown-user"];

    /// <summary>Signed with the API's own key, with a live session id: only the <c>sub</c> claim is wrong.</summary>
    [Theory]
    [MemberData(nameof(BadSubjects))]
    public async Task A_validly_signed_token_whose_sub_is_not_a_user_is_401(string kind)
    {
        await using var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var (access, _) = await client.SignedInUserAsync(NewEmail("trader"));
        var sid = new JsonWebTokenHandler().ReadJsonWebToken(access).GetClaim("sid").Value;
        var token = Sign(kind switch
        {
            "missing" => null,
            "empty" => "",
            "not-a-user-id" => "alice",
            "unknown-user" => Guid.NewGuid().ToString(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        }, sid);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/v1/account/profile"), (HttpMethod.Get, "/api/v1/orders"), (HttpMethod.Get, "/api/v1/wallet/balances"), (HttpMethod.Get, "/api/v1/account/sessions") })
        {
            using var response = await client.SendAsync(method, path, token);
            await ProblemAnswer.AssertAsync(response, 401);
        }
    }

    private static string Sign(string? sub, string sid)
    {
        var claims = new Dictionary<string, object> { ["sid"] = sid, ["role"] = new[] { "Trader" }, ["email_verified"] = true };
        if (sub is not null)
        {
            claims["sub"] = sub;
        }
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "coinage",
            Audience = "coinage-api",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = claims,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Coinage.ApiService.Identity.Tokens.SigningKeys.DeriveKeyBytes(ApiFactory.JwtSigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A JSON body of unknown length, so HttpClient sends it chunked.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
