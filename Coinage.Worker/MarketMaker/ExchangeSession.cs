using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.RateLimiting;

namespace Coinage.Worker.MarketMaker;

/// <summary>The API answered with something the market maker cannot work with (other than 401/429).</summary>
public sealed class ExchangeApiException(HttpStatusCode status, string? code, string detail)
    : Exception($"{(int)status} {code}: {detail}")
{
    public HttpStatusCode Status { get; } = status;

    public string? Code { get; } = code;
}

/// <summary>
/// One account signed in to the public API, as any client would be: a password sign-in, then the
/// refresh token (rotated on every use) whenever the access token is refused; a new sign-in only when
/// the refresh is refused too (the API restarted with other keys, the session was revoked).
/// Every request waits for the shared <see cref="RateLimiter"/>; a 429 waits for its Retry-After.
/// </summary>
public sealed class ExchangeSession(HttpClient http, RateLimiter pacing, string email, string password, TimeProvider clock)
{
    private string? _access;
    private string? _refresh;

    public string Email => email;

    public async Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) =>
        await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative)), cancellationToken).ConfigureAwait(false);

    public async Task<JsonElement> PostAsync(string path, object body, CancellationToken cancellationToken, string? idempotencyKey = null) =>
        await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }
            return request;
        }, cancellationToken).ConfigureAwait(false);

    public async Task<JsonElement> DeleteAsync(string path, CancellationToken cancellationToken) =>
        await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, new Uri(path, UriKind.Relative)), cancellationToken).ConfigureAwait(false);

    private async Task<JsonElement> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_access is null)
            {
                await SignInAsync(cancellationToken).ConfigureAwait(false);
            }
            using var request = create();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _access);
            using var response = await PacedAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // Expired (10 minutes) or no longer valid: refresh, or sign in again, then retry once.
                _access = null;
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SignInAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/auth/login", UriKind.Relative))
        {
            Content = JsonContent.Create(new { email, password, useCookie = false }),
        };
        using var response = await PacedAsync(request, cancellationToken).ConfigureAwait(false);
        Keep(await ReadAsync(response, cancellationToken).ConfigureAwait(false));
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (_refresh is { } token)
        {
            _refresh = null;
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/auth/refresh", UriKind.Relative))
            {
                Content = JsonContent.Create(new { refreshToken = token }),
            };
            using var response = await PacedAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                Keep(await ReadAsync(response, cancellationToken).ConfigureAwait(false));
                return;
            }
        }
        await SignInAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Keep(JsonElement tokens)
    {
        if (tokens.TryGetProperty("twoFactorRequired", out var twoFactor) && twoFactor.ValueKind == JsonValueKind.True)
        {
            throw new ExchangeApiException(HttpStatusCode.OK, "two_factor_required", $"{email} has two-factor authentication on; the market maker cannot sign in.");
        }
        _access = tokens.GetProperty("accessToken").GetString();
        _refresh = tokens.TryGetProperty("refreshToken", out var refresh) ? refresh.GetString() : null;
    }

    private async Task<HttpResponseMessage> PacedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        while (true)
        {
            using (var lease = await pacing.AcquireAsync(1, cancellationToken).ConfigureAwait(false))
            {
                if (!lease.IsAcquired)
                {
                    throw new InvalidOperationException("The market maker's request queue is full.");
                }
            }
            var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response;
            }
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
            response.Dispose();
            await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
            request = await CloneAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var header in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        if (request.Content is not null)
        {
            var bytes = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            clone.Content = new ByteArrayContent(bytes);
            foreach (var header in request.Content.Headers)
            {
                clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
        return clone;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ExchangeApiException(response.StatusCode, null, "The answer is not JSON.");
        }
        if (!response.IsSuccessStatusCode)
        {
            var code = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("code", out var c) ? c.GetString() : null;
            var detail = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("detail", out var d) ? d.GetString() : null;
            throw new ExchangeApiException(response.StatusCode, code, detail ?? response.ReasonPhrase ?? "");
        }
        return body;
    }
}
