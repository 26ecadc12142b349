using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Coinage.Web.Tests.Infrastructure;
using Npgsql;

namespace Coinage.Web.Tests;

/// <summary>
/// A trader's session through the web front end, as a browser drives it (one-time links opened, refresh with the
/// cookie, the market hub over a WebSocket with the access token in its URL), while the web front end and the real
/// ApiService export their telemetry with their own pipelines to an OTLP receiver. Nothing that grants access may
/// be in any exported log record, span or metric.
/// </summary>
public sealed class SecretsInTelemetryTests(ApiServiceFixture api) : IDisposable
{
    private const string TermsVersion = "2026-11-01";
    private const string RefreshCookie = "__Secure-coinage-rt";

    private readonly TestWebRoot _webRoot = new();
    private readonly List<string> _secrets = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_password_token_cookie_or_one_time_link_reaches_an_exported_log_record_span_or_metric()
    {
        var email = $"telemetry-{Guid.NewGuid():N}@example.test";
        var password = Secret($"first {Guid.NewGuid():N} horse battery");
        var newPassword = Secret($"second {Guid.NewGuid():N} horse battery");
        var flushMarker = $"flush-{Guid.NewGuid():N}";

        await using (var web = new WebHostFactory(_webRoot.Path, api.ApiAddress, settings: WebSettings()))
        {
            using var client = web.CreateRawClient();

            await ExpectOnlyAsync(HttpStatusCode.Accepted, client.PostAsJsonAsync("/api/v1/auth/register",
                new { email, password, acceptTerms = true, termsVersion = TermsVersion, privacyVersion = TermsVersion }, Ct));
            var (userId, verifyToken) = await EmailedTokenAsync(email, "email.verify_email");
            // The emailed link opens the web page with the token in its query; the page posts it to the API.
            await ExpectOnlyAsync(HttpStatusCode.OK, client.GetAsync($"/verify-email?userId={userId}&token={Uri.EscapeDataString(verifyToken)}", Ct));
            await ExpectOnlyAsync(HttpStatusCode.NoContent, client.PostAsJsonAsync("/api/v1/auth/verify-email", new { userId, token = verifyToken }, Ct));

            using var login = await ExpectAsync(HttpStatusCode.OK, client.PostAsJsonAsync("/api/v1/auth/login", new { email, password, useCookie = true }, Ct));
            Secret(await AccessTokenAsync(login));
            var cookie = Secret(RefreshCookieValue(login));

            using var refreshRequest = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/refresh");
            refreshRequest.Headers.Add("Cookie", $"{RefreshCookie}={cookie}");
            refreshRequest.Headers.Add("X-Coinage-Csrf", "1");
            using var refreshed = await ExpectAsync(HttpStatusCode.OK, client.SendAsync(refreshRequest, Ct));
            var access = Secret(await AccessTokenAsync(refreshed));
            Secret(RefreshCookieValue(refreshed));

            using (var hub = await ConnectHubAsBrowserAsync(client, access))
            {
                // Signing out ends the session's hub connection at once: the API knew whose connection it was.
                using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/logout");
                logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
                await ExpectOnlyAsync(HttpStatusCode.NoContent, client.SendAsync(logout, Ct));
                await ClosedByServerAsync(hub);
            }

            await ExpectOnlyAsync(HttpStatusCode.Accepted, client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { email }, Ct));
            var (_, resetToken) = await EmailedTokenAsync(email, "email.password_reset");
            await ExpectOnlyAsync(HttpStatusCode.OK, client.GetAsync($"/reset-password?userId={userId}&token={Uri.EscapeDataString(resetToken)}", Ct));
            await ExpectOnlyAsync(HttpStatusCode.NoContent, client.PostAsJsonAsync("/api/v1/auth/reset-password", new { userId, token = resetToken, newPassword }, Ct));

            // Exporters send in order: once this request's log line and span have arrived, everything before it has.
            (await client.GetAsync($"/api/v1/{flushMarker}", Ct)).Dispose();
            await ApiExportedAsync(flushMarker);
            // The web front end's too, while it still runs: its flush on disposal can miss a busy machine's deadline (CI).
            await ExportedAsync(("a web front end log record of the marker request", e => e.From("webfrontend") && e.Signal == "logs" && e.Contains(flushMarker)));
        }
        // Disposing the web host flushed its exporters.

        // Not vacuous: both services exported logs and spans of this very session, hub connection included. The API's
        // exporters keep their own schedule (its span of the hub request ends once the server has finished the closed
        // socket, which may be after the marker's), so its part is awaited rather than read once.
        await ExportedAsync(
            ("a web front end log record of the marker request", e => e.From("webfrontend") && e.Signal == "logs" && e.Contains(flushMarker)),
            ("a web front end span of the hub", e => e.From("webfrontend") && e.Signal == "traces" && e.Contains("/hubs/market")),
            ("an ApiService span of the hub", e => e.From("apiservice") && e.Signal == "traces" && e.Contains("/hubs/market")),
            ("an ApiService log record of the password reset", e => e.From("apiservice") && e.Signal == "logs" && e.Contains("/api/v1/auth/reset-password")),
            ("metrics", e => e.Signal == "metrics"));
        var exports = api.Telemetry.Exports;

        var leaks = (from secret in _secrets
                     from form in new[] { secret, Uri.EscapeDataString(secret), WebUtility.UrlEncode(secret) }.Distinct()
                     from export in exports
                     where export.Contains(form)
                     select $"{export.Signal} of {(export.From("apiservice") ? "apiservice" : "webfrontend")}: {Excerpt(export, form)}").ToList();
        Assert.True(leaks.Count == 0, "Secrets exported:\n" + string.Join('\n', leaks));
    }

    /// <summary>As high as anyone could set them, so a secret in any line shows.</summary>
    private Dictionary<string, string?> WebSettings()
    {
        var settings = api.OtlpSettings("webfrontend").ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        settings["Logging:LogLevel:Default"] = "Debug";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug";
        settings["Logging:LogLevel:Yarp"] = "Debug";
        settings["Logging:LogLevel:System.Net.Http"] = "Debug";
        return settings;
    }

    private string Secret(string value)
    {
        _secrets.Add(value);
        return value;
    }

    /// <summary>What the browser does: negotiate with the token in a header, then the WebSocket with it in the URL.</summary>
    private static async Task<ClientWebSocket> ConnectHubAsBrowserAsync(HttpClient client, string access)
    {
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/hubs/market/negotiate?negotiateVersion=1");
        negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var negotiated = await ExpectAsync(HttpStatusCode.OK, client.SendAsync(negotiate, Ct));
        var connectionToken = (await negotiated.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("connectionToken").GetString();

        var socket = new ClientWebSocket();
        var address = new UriBuilder(client.BaseAddress!)
        {
            Scheme = "ws",
            Path = "/hubs/market",
            Query = $"id={Uri.EscapeDataString(connectionToken!)}&access_token={Uri.EscapeDataString(access)}",
        }.Uri;
        await socket.ConnectAsync(address, Ct);
        await socket.SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, Ct);
        Assert.Equal("{}\u001e", await ReceiveAsync(socket));
        return socket;
    }

    private static async Task ClosedByServerAsync(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, timeout.Token);
                // A SignalR close message (type 7) or the WebSocket's own close frame.
                if (received.MessageType == WebSocketMessageType.Close || Encoding.UTF8.GetString(buffer, 0, received.Count).Contains("\"type\":7", StringComparison.Ordinal))
                {
                    return;
                }
            }
        }
        catch (WebSocketException)
        {
            // The connection was aborted: closed as well.
        }
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[8192];
        var received = await socket.ReceiveAsync(buffer, Ct);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    private Task ApiExportedAsync(string marker) => ExportedAsync(
        ("an ApiService log record of the marker request", e => e.Signal == "logs" && e.From("apiservice") && e.Contains(marker)),
        ("an ApiService span of the marker request", e => e.Signal == "traces" && e.From("apiservice") && e.Contains(marker)));

    /// <summary>Waits up to 30 s until every expectation is met by some export, then fails naming those that are not.</summary>
    private async Task ExportedAsync(params (string What, Func<OtlpReceiver.Export, bool> Matches)[] expectations)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var exports = api.Telemetry.Exports;
            var missing = expectations.Where(x => !exports.Any(x.Matches)).Select(x => x.What).ToList();
            if (missing.Count == 0)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Not exported within 30 s: {string.Join("; ", missing)}.");
            await Task.Delay(250, Ct);
        }
    }

    private async Task<(string UserId, string Token)> EmailedTokenAsync(string email, string type)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var connection = new NpgsqlConnection(api.DatabaseConnectionString);
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand(
                "SELECT payload::text FROM outbox_messages WHERE type = @type AND payload->>'to' = @to ORDER BY created_at DESC, id DESC LIMIT 1", connection);
            command.Parameters.AddWithValue("type", type);
            command.Parameters.AddWithValue("to", email);
            if (await command.ExecuteScalarAsync(Ct) is string payload)
            {
                using var document = JsonDocument.Parse(payload);
                var root = document.RootElement;
                return (root.GetProperty("userId").GetString()!, Secret(root.GetProperty("data").GetProperty("token").GetString()!));
            }
            Assert.True(DateTime.UtcNow < deadline, $"No {type} email to {email}.");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task<string> AccessTokenAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("accessToken").GetString()!;

    private static string RefreshCookieValue(HttpResponseMessage response)
    {
        var header = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(RefreshCookie + "=", StringComparison.Ordinal));
        return header[(RefreshCookie.Length + 1)..header.IndexOf(';', StringComparison.Ordinal)];
    }

    private static async Task ExpectOnlyAsync(HttpStatusCode expected, Task<HttpResponseMessage> sending)
    {
        using var response = await ExpectAsync(expected, sending);
    }

    private static async Task<HttpResponseMessage> ExpectAsync(HttpStatusCode expected, Task<HttpResponseMessage> sending)
    {
        var response = await sending;
        if (response.StatusCode != expected)
        {
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} instead of {(int)expected}: {await response.Content.ReadAsStringAsync(Ct)}");
        }
        return response;
    }

    private static string Excerpt(OtlpReceiver.Export export, string secret)
    {
        var text = Encoding.UTF8.GetString(export.Body);
        var at = text.IndexOf(secret, StringComparison.Ordinal);
        var start = Math.Max(0, at - 120);
        return new string(text.Substring(start, Math.Min(text.Length - start, secret.Length + 240)).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
    }

    public void Dispose() => _webRoot.Dispose();
}
