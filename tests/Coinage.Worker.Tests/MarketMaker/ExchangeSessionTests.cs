using System.Net;
using System.Text;
using System.Threading.RateLimiting;
using Coinage.Worker.MarketMaker;

namespace Coinage.Worker.Tests.MarketMaker;

/// <summary>How the market maker's API session survives expired tokens and API restarts (new signing keys).</summary>
public sealed class ExchangeSessionTests
{
    [Fact]
    public async Task A_refused_access_token_is_refreshed_and_a_refused_refresh_signs_in_again()
    {
        var api = new ScriptedApi();
        using var pacing = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 10 });
        using var http = new HttpClient(api) { BaseAddress = new Uri("http://apiservice") };
        var session = new ExchangeSession(http, pacing, "market-maker@coinage.local", "pw", TimeProvider.System);

        // First call: signs in (access-1), then the request succeeds.
        Assert.Equal("ok", (await session.GetAsync("/api/v1/wallet/balances", TestContext.Current.CancellationToken)).GetProperty("result").GetString());
        // access-1 expires: refresh (refresh-1 → access-2), retry.
        api.Valid = "access-2";
        Assert.Equal("ok", (await session.GetAsync("/api/v1/wallet/balances", TestContext.Current.CancellationToken)).GetProperty("result").GetString());
        // The API restarted with other keys: access and refresh are refused, a new sign-in (access-3) follows.
        api.Valid = "access-3";
        api.RefreshWorks = false;
        Assert.Equal("ok", (await session.GetAsync("/api/v1/wallet/balances", TestContext.Current.CancellationToken)).GetProperty("result").GetString());

        Assert.Equal(
            ["login", "GET access-1", "GET access-1", "refresh refresh-1", "GET access-2", "GET access-2", "refresh refresh-2", "login", "GET access-3"],
            api.Log);
    }

    [Fact]
    public async Task A_refused_request_surfaces_the_problem_code_and_a_429_waits_and_retries()
    {
        var api = new ScriptedApi { TooManyOnce = true };
        using var pacing = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 10 });
        using var http = new HttpClient(api) { BaseAddress = new Uri("http://apiservice") };
        var session = new ExchangeSession(http, pacing, "market-maker@coinage.local", "pw", TimeProvider.System);

        Assert.Equal("ok", (await session.GetAsync("/api/v1/wallet/balances", TestContext.Current.CancellationToken)).GetProperty("result").GetString());
        var refused = await Assert.ThrowsAsync<ExchangeApiException>(() => session.PostAsync("/api/v1/orders", new { }, TestContext.Current.CancellationToken));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "insufficient_funds"), (refused.Status, refused.Code));
        Assert.Equal(["login", "GET access-1 (429)", "GET access-1", "POST access-1"], api.Log);
    }

    private sealed class ScriptedApi : HttpMessageHandler
    {
        private int _logins;
        private int _refreshes;

        public string Valid { get; set; } = "access-1";

        public bool RefreshWorks { get; set; } = true;

        public bool TooManyOnce { get; set; }

        public List<string> Log { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            if (path == "/api/v1/auth/login")
            {
                Log.Add("login");
                _logins++;
                return Json(HttpStatusCode.OK, $$"""{"accessToken":"{{(_logins == 1 ? "access-1" : Valid)}}","refreshToken":"refresh-{{++_refreshes}}"}""");
            }
            if (path == "/api/v1/auth/refresh")
            {
                var token = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("refreshToken").GetString();
                Log.Add($"refresh {token}");
                return RefreshWorks
                    ? Json(HttpStatusCode.OK, $$"""{"accessToken":"{{Valid}}","refreshToken":"refresh-{{++_refreshes}}"}""")
                    : Json(HttpStatusCode.Unauthorized, """{"code":"invalid_refresh_token"}""");
            }
            var access = request.Headers.Authorization?.Parameter;
            if (TooManyOnce)
            {
                TooManyOnce = false;
                Log.Add($"{request.Method} {access} (429)");
                var tooMany = Json(HttpStatusCode.TooManyRequests, "{}");
                tooMany.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMilliseconds(10));
                return tooMany;
            }
            Log.Add($"{request.Method} {access}");
            if (access != Valid)
            {
                return Json(HttpStatusCode.Unauthorized, "{}");
            }
            return request.Method == HttpMethod.Post
                ? Json(HttpStatusCode.UnprocessableEntity, """{"code":"insufficient_funds","detail":"Not enough USD."}""")
                : Json(HttpStatusCode.OK, """{"result":"ok"}""");
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
            new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }
}
