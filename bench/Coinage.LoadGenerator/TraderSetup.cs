using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coinage.LoadGenerator;

/// <summary>A verified, funded trader: its bearer token, and with <c>--auth apikey</c> its API key.</summary>
internal sealed record BenchTrader(string Email, string AccessToken, ApiKeySigner? Key = null);

/// <summary>A market's rules as <c>GET /api/v1/markets/{symbol}</c> gives them.</summary>
internal sealed record BenchMarket(string Symbol, string BaseAsset, string QuoteAsset, decimal TickSize, decimal LotSize, decimal MinQuantity, decimal MinNotional);

/// <summary>
/// Creates the run's traders the way a person would: register, follow the link of the verification email
/// (read from maildev), sign in, deposit. Nothing is written to the database behind the API's back.
/// </summary>
internal sealed partial class TraderSetup(HttpClient api, HttpClient mail, TextWriter log)
{
    // Large enough that no hold of a one-minute run is refused for funds (docs/performance.md, "Workload").
    private static readonly Dictionary<string, string> Deposits = new(StringComparer.Ordinal)
    {
        ["USD"] = "1000000000", ["BTC"] = "100000", ["ETH"] = "1000000",
    };

    public async Task<List<BenchMarket>> MarketsAsync(IEnumerable<string> symbols, CancellationToken cancellationToken)
    {
        var markets = new List<BenchMarket>();
        foreach (var symbol in symbols)
        {
            var m = await api.GetFromJsonAsync<JsonElement>($"api/v1/markets/{symbol}", cancellationToken).ConfigureAwait(false);
            decimal D(string name) => decimal.Parse(m.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);
            markets.Add(new BenchMarket(symbol, m.GetProperty("baseAsset").GetString()!, m.GetProperty("quoteAsset").GetString()!,
                D("tickSize"), D("lotSize"), D("minQuantity"), D("minNotional")));
        }
        return markets;
    }

    public async Task<List<BenchTrader>> CreateAsync(int count, IReadOnlyCollection<string> assets, bool apiKeys, CancellationToken cancellationToken)
    {
        var legal = await api.GetFromJsonAsync<JsonElement>("api/v1/auth/legal", cancellationToken).ConfigureAwait(false);
        var run = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var password = $"load generator passphrase {Guid.NewGuid():N}";
        var emails = Enumerable.Range(1, count).Select(i => $"bench-{run}-{i}@coinage.local").ToList();
        // Registration and sign-in hash with BCrypt (work factor 12): a few at a time keeps the API responsive.
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(emails.Select(async email =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var response = await api.PostAsJsonAsync("api/v1/auth/register", new
                {
                    email, password, acceptTerms = true,
                    termsVersion = legal.GetProperty("termsVersion").GetString(),
                    privacyVersion = legal.GetProperty("privacyVersion").GetString(),
                }, cancellationToken).ConfigureAwait(false);
                await EnsureAsync(response, HttpStatusCode.Accepted, "register").ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        log.WriteLine($"registered {count} traders; waiting for their verification emails");

        var links = await VerificationLinksAsync(emails, cancellationToken).ConfigureAwait(false);
        var traders = await Task.WhenAll(emails.Select(async email =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var (userId, token) = links[email];
                using (var verified = await api.PostAsJsonAsync("api/v1/auth/verify-email", new { userId, token }, cancellationToken).ConfigureAwait(false))
                {
                    await EnsureAsync(verified, HttpStatusCode.NoContent, "verify-email").ConfigureAwait(false);
                }
                string access;
                using (var login = await api.PostAsJsonAsync("api/v1/auth/login", new { email, password }, cancellationToken).ConfigureAwait(false))
                {
                    await EnsureAsync(login, HttpStatusCode.OK, "login").ConfigureAwait(false);
                    access = (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false)).GetProperty("accessToken").GetString()!;
                }
                foreach (var asset in assets)
                {
                    using var deposit = new HttpRequestMessage(HttpMethod.Post, "api/v1/wallet/deposits")
                    {
                        Content = JsonContent.Create(new { asset, amount = Deposits.GetValueOrDefault(asset, "1000000") }),
                    };
                    deposit.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
                    deposit.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                    using var deposited = await api.SendAsync(deposit, cancellationToken).ConfigureAwait(false);
                    await EnsureAsync(deposited, HttpStatusCode.Created, "deposit").ConfigureAwait(false);
                }
                if (!apiKeys)
                {
                    return new BenchTrader(email, access);
                }
                // The sign-in just proved the user: creating the key needs no further step-up.
                using var create = new HttpRequestMessage(HttpMethod.Post, "api/v1/account/api-keys")
                {
                    Content = JsonContent.Create(new { name = "load generator", scopes = new[] { "read", "trade" } }),
                };
                create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
                using var created = await api.SendAsync(create, cancellationToken).ConfigureAwait(false);
                await EnsureAsync(created, HttpStatusCode.Created, "create API key").ConfigureAwait(false);
                var key = await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
                return new BenchTrader(email, access, new ApiKeySigner(key.GetProperty("id").GetString()!, key.GetProperty("secret").GetString()!));
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        log.WriteLine($"verified, signed in and funded {count} traders{(apiKeys ? ", each with an API key" : "")}");
        return [.. traders];
    }

    /// <summary>Polls maildev until every address has its verification link (the Worker sends the emails from the outbox).</summary>
    private async Task<Dictionary<string, (string UserId, string Token)>> VerificationLinksAsync(List<string> emails, CancellationToken cancellationToken)
    {
        var wanted = emails.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var found = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (found.Count < wanted.Count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Only {found.Count} of {wanted.Count} verification emails arrived in maildev ({mail.BaseAddress}) within 2 minutes.");
            }
            var messages = await mail.GetFromJsonAsync<JsonElement>("email", cancellationToken).ConfigureAwait(false);
            foreach (var message in messages.EnumerateArray())
            {
                var to = message.GetProperty("to").EnumerateArray().Select(t => t.GetProperty("address").GetString()).FirstOrDefault(a => a is not null && wanted.Contains(a));
                var text = message.TryGetProperty("text", out var t) ? t.GetString() : null;
                if (to is null || found.ContainsKey(to) || text is null || VerifyLink().Match(text) is not { Success: true } match)
                {
                    continue;
                }
                found[to] = (Uri.UnescapeDataString(match.Groups["user"].Value), Uri.UnescapeDataString(match.Groups["token"].Value));
            }
            if (found.Count < wanted.Count)
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
        return found;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string step)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{step}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }

    [GeneratedRegex(@"/verify-email\?userId=(?<user>[^&\s""<]+)&(?:amp;)?token=(?<token>[^&\s""<]+)")]
    private static partial Regex VerifyLink();
}
