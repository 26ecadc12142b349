using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Web;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// A trader who uses the public API over HTTP, through the web front end's proxy like any client:
/// the counterparty of the browser's trade.
/// </summary>
internal sealed class ApiTrader
{
    private static readonly TimeSpan OrderPatience = TimeSpan.FromMinutes(1);

    private readonly HttpClient _http;
    private readonly string _accessToken;

    private ApiTrader(HttpClient http, string email, string accessToken)
    {
        _http = http;
        Email = email;
        _accessToken = accessToken;
    }

    public string Email { get; }

    /// <summary>Registers with the current terms, follows the emailed verification link's token, and signs in.</summary>
    public static async Task<ApiTrader> SignUpVerifiedAsync(HttpClient http, MailDevInbox inbox, string email, string password, CancellationToken cancellationToken)
    {
        var legal = await http.GetFromJsonAsync<JsonElement>("/api/v1/auth/legal", cancellationToken);
        using (var register = await http.PostAsJsonAsync("/api/v1/auth/register", new
        {
            email,
            password,
            acceptTerms = true,
            termsVersion = legal.GetProperty("termsVersion").GetString(),
            privacyVersion = legal.GetProperty("privacyVersion").GetString(),
        }, cancellationToken))
        {
            await ExpectAsync(register, HttpStatusCode.Accepted, "register");
        }

        var link = await inbox.VerificationLinkAsync(email, cancellationToken);
        var query = HttpUtility.ParseQueryString(link.Query);
        using (var verify = await http.PostAsJsonAsync("/api/v1/auth/verify-email", new { userId = query["userId"], token = query["token"] }, cancellationToken))
        {
            await ExpectAsync(verify, HttpStatusCode.NoContent, "verify the email");
        }

        return await SignInAsync(http, email, password, cancellationToken);
    }

    /// <summary>Registers with the current terms and leaves the email unverified: the link stays in maildev, unused.</summary>
    public static async Task RegisterAsync(HttpClient http, string email, string password, CancellationToken cancellationToken)
    {
        var legal = await http.GetFromJsonAsync<JsonElement>("/api/v1/auth/legal", cancellationToken);
        using var register = await http.PostAsJsonAsync("/api/v1/auth/register", new
        {
            email,
            password,
            acceptTerms = true,
            termsVersion = legal.GetProperty("termsVersion").GetString(),
            privacyVersion = legal.GetProperty("privacyVersion").GetString(),
        }, cancellationToken);
        await ExpectAsync(register, HttpStatusCode.Accepted, "register");
    }

    /// <summary>A new session of a trader without a second factor (its sign-in is a fresh proof for a step-up).</summary>
    public static async Task<ApiTrader> SignInAsync(HttpClient http, string email, string password, CancellationToken cancellationToken)
    {
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, cancellationToken);
        await ExpectAsync(login, HttpStatusCode.OK, "sign in");
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return new ApiTrader(http, email, tokens.GetProperty("accessToken").GetString()!);
    }

    public async Task DepositAsync(string asset, decimal amount, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, "/api/v1/wallet/deposits", new { asset, amount = Format(amount) });
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = await _http.SendAsync(request, cancellationToken);
        await ExpectAsync(response, HttpStatusCode.Created, $"deposit {amount} {asset}");
    }

    /// <summary>Places a good-till-cancelled limit sell and waits until the matching host has put it on the book.</summary>
    public Task<string> RestLimitSellAsync(string market, decimal price, decimal quantity, CancellationToken cancellationToken) =>
        RestLimitAsync("sell", market, price, quantity, cancellationToken);

    /// <summary>Places a good-till-cancelled limit buy and waits until the matching host has put it on the book.</summary>
    public Task<string> RestLimitBuyAsync(string market, decimal price, decimal quantity, CancellationToken cancellationToken) =>
        RestLimitAsync("buy", market, price, quantity, cancellationToken);

    private async Task<string> RestLimitAsync(string side, string market, decimal price, decimal quantity, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, "/api/v1/orders", new
        {
            market,
            side,
            type = "limit",
            timeInForce = "GTC",
            price = Format(price),
            quantity = Format(quantity),
            clientOrderId = $"journey-{Guid.NewGuid():N}",
        });
        using var placed = await _http.SendAsync(request, cancellationToken);
        await ExpectAsync(placed, HttpStatusCode.Created, $"place a limit {side} of {quantity} at {price} on {market}");
        var id = (await placed.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;

        var status = await Polling.UntilAsync(
            async () =>
            {
                using var get = Request(HttpMethod.Get, $"/api/v1/orders/{id}");
                using var response = await _http.SendAsync(get, cancellationToken);
                await ExpectAsync(response, HttpStatusCode.OK, $"read order {id}");
                var order = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                return order.GetProperty("status").GetString() is "pending" ? null : order.GetProperty("status").GetString();
            },
            OrderPatience, $"the matching host to process {side} order {id}", cancellationToken);
        Assert.True(status == "open", $"The {side} order {id} should rest on the book, but it is '{status}'.");
        return id;
    }

    /// <summary>Cancels an open order; the matching host takes it off the book.</summary>
    public async Task CancelOrderAsync(string id, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Delete, $"/api/v1/orders/{id}");
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.Fail($"The trader could not cancel order {id}: {(int)response.StatusCode} {response.StatusCode}. {body}");
        }
    }

    /// <summary>A POST of the API as this trader; the answer must be <paramref name="expected"/>. Returns its JSON body, if any.</summary>
    public async Task<JsonElement?> PostAsync(string path, object body, HttpStatusCode expected, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var request = Request(HttpMethod.Post, path, body);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        await ExpectAsync(response, expected, $"POST {path}");
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A GET of the API as this trader; the answer must be 200.</summary>
    public async Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request, cancellationToken);
        await ExpectAsync(response, HttpStatusCode.OK, $"GET {path}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _accessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    private static string Format(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, string action)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"The counterparty could not {action}: {(int)response.StatusCode} {response.StatusCode}, expected {(int)expected}. {body}");
        }
    }
}
