using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// Issue 23, item 6: the Python example client (examples/python) run as its README says, against the started
/// platform, with a real API key: it signs its requests, follows the book over the WebSocket feed, notices the
/// update it was told to drop and resynchronises, quotes both sides and cancels its quotes on the way out.
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class ExampleClientTests(BrowserPlatform platform)
{
    // ETH-BTC: no other test trades it, so the book is the two resting orders below and the market maker's quotes.
    private const string Market = "ETH-BTC";

    [Fact(Timeout = 10 * 60 * 1000)]
    public async Task The_market_maker_example_quotes_with_an_api_key_and_resynchronises_after_a_dropped_update()
    {
        platform.EnsureRunning();
        var ct = TestContext.Current.CancellationToken;
        var funds = new Dictionary<string, decimal> { ["ETH"] = 2m, ["BTC"] = 0.2m };
        var (others, _) = await platform.TraderAsync("example-book", funds, ct);
        await others.RestLimitBuyAsync(Market, 0.049m, 0.1m, ct);
        await others.RestLimitSellAsync(Market, 0.051m, 0.1m, ct);

        var (maker, password) = await platform.TraderAsync("example-mm", funds, ct);
        var access = await SignInAsync(maker.Email, password, ct); // a fresh sign-in is the step-up creating a key needs
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/account/api-keys")
        {
            Content = JsonContent.Create(new { name = "example market maker", scopes = new[] { "read", "trade" } }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var created = await platform.Http.SendAsync(create, ct);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{created.StatusCode}: {key}");

        var run = await RunAsync(key.GetProperty("id").GetString()!, key.GetProperty("secret").GetString()!, ct);

        Assert.True(run.ExitCode == 0, $"market_maker.py exited with {run.ExitCode}:\n{run.Output}");
        Assert.Contains("book snapshot at sequence", run.Output, StringComparison.Ordinal);
        // Mid 0.05, 20 bps wide: 0.04995 / 0.05005 on the 0.00001 grid, 0.01 ETH each.
        Assert.Contains($"quoting {Market}: bid 0.04995 ask 0.05005 size 0.01", run.Output, StringComparison.Ordinal);
        Assert.Contains("dropping book update", run.Output, StringComparison.Ordinal);
        Assert.Contains("gap detected", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"done: 3 rounds, \d+ book updates, [1-9]\d* resynchronisations", run.Output);

        // What the API recorded: two quotes a round, each placed with the key and cancelled by the next round or the exit.
        using var list = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/orders?market={Market}&limit=50");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        using var listed = await platform.Http.SendAsync(list, ct);
        var orders = (await listed.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(6, orders.Count(o => o.GetProperty("clientOrderId").GetString()!.StartsWith("mm-", StringComparison.Ordinal)));
        var open = await Polling.UntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/orders/open?market={Market}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
                using var response = await platform.Http.SendAsync(request, ct);
                var items = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("items").GetArrayLength();
                return items == 0 ? "none" : null;
            },
            TimeSpan.FromMinutes(1), "the example's quotes to be cancelled", ct);
        Assert.Equal("none", open);
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string keyId, string secret, CancellationToken ct)
    {
        var repository = Directory.GetParent(Path.TrimEndingDirectorySeparator(Projects.Coinage_AppHost.ProjectPath))!.FullName;
        var info = new ProcessStartInfo("python3")
        {
            WorkingDirectory = repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["COINAGE_API_KEY"] = keyId, ["COINAGE_API_SECRET"] = secret },
        };
        foreach (var arg in (string[])["examples/python/market_maker.py", "--url", platform.Web.ToString(), "--market", Market,
            "--spread-bps", "20", "--size", "0.01", "--refresh", "2", "--iterations", "3", "--drop-update", "2"])
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var output = await stdout + await stderr;
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        return (process.ExitCode, output);
    }

    private async Task<string> SignInAsync(string email, string password, CancellationToken ct)
    {
        using var login = await platform.Http.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString()!;
    }
}
