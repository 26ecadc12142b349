using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using static Coinage.EndToEnd.Tests.Journey.TraderPages;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// The trader's journey (issue #5, "Must show") in Debian's Chromium against the platform the
/// AppHost starts: sign up, verify by email, sign in, turn on 2FA, deposit, buy from a second
/// trader on the order book, see the fill everywhere it shows, sign out. Screenshots of the
/// markets, trade, wallet and security pages go to journey-*/ in the test results directory
/// (the path is printed; a failed run adds the page it broke on and a Playwright trace).
/// </summary>
public sealed class TraderJourneyTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string Market = "BTC-USD";
    private const string BaseAsset = "BTC";
    private const string QuoteAsset = "USD";
    // Off the round numbers, so the fee needs rounding; near the other tests' BTC-USD price (65,000), as the end-to-end
    // platform keeps the seeded risk limits (a 10 % price band around the last trade, a circuit breaker at 15 %).
    private const decimal Price = 65_350m;
    private const decimal Quantity = 0.01m;
    private const decimal UsdDeposit = 1_000m;
    private const decimal SellerBtcDeposit = 0.05m;

    // The first run on a busy machine initialises PostgreSQL and applies every migration.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);

    [Fact(Timeout = 30 * 60 * 1000)]
    public async Task A_new_trader_signs_up_secures_the_account_funds_it_buys_from_another_trader_and_signs_out()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Skip($"{ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        var artifacts = Path.Combine(ResultsDirectory(), $"journey-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        TestContext.Current.TestOutputHelper?.WriteLine($"Screenshots of the trader's journey: {artifacts}");
        TestContext.Current.SendDiagnosticMessage($"Screenshots of the trader's journey: {artifacts}");

        // A quiet book: the only liquidity is the second trader's order.
        await using var apphost = AppHostProcess.Start(arguments: ["--Coinage:MarketMaker:Enabled=false"]);
        ExceptionDispatchInfo? failure = null;
        try
        {
            await apphost.WaitUntilRunningAsync(StartTimeout);
            await JourneyAsync(apphost, artifacts, TestContext.Current.CancellationToken);
        }
        catch (Exception exception)
        {
            failure = ExceptionDispatchInfo.Capture(exception);
        }

        var survivors = await StopPlatformAsync(apphost);
        failure?.Throw();
        Assert.True(survivors.Count == 0, $"Processes of the platform outlived it: {string.Join(", ", survivors)}\n{apphost.Tail(40)}");
    }

    private static async Task JourneyAsync(AppHostProcess apphost, string artifacts, CancellationToken cancellationToken)
    {
        var web = apphost.Links["Web front end"];
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = web };
        var inbox = new MailDevInbox(http, apphost.Links["Inbox"]);
        var market = await http.GetFromJsonAsync<JsonElement>($"/api/v1/markets/{Market}", cancellationToken);
        var expectedFee = TakerFee(market, Price * Quantity);

        // The counterparty gets ready through the API while the browser signs up.
        using var counterpartyCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counterparty = RestingSellerAsync(http, inbox, counterpartyCancellation.Token);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        // Generous: two cores shared with other test runs, and the Worker settles asynchronously.
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(60_000);
        Assertions.SetDefaultExpectTimeout(30_000);
        var page = await context.NewPageAsync();
        var recorder = new JourneyRecorder(page, artifacts, () => apphost.Tail(40));
        var pages = new TraderPages(page, web);
        await JourneyRecorder.StartTracingAsync(context);
        var passed = false;
        try
        {
            var email = $"journey-{Guid.NewGuid():N}@example.test";
            var password = StrongPassword();

            await recorder.StepAsync("sign up with a new email, a strong password and consent", () => pages.SignUpAsync(email, password));

            var link = await recorder.StepAsync("find the verification link in the maildev inbox", () => inbox.VerificationLinkAsync(email, cancellationToken));
            await recorder.StepAsync("open the verification link", () => pages.OpenVerificationLinkAsync(link));

            await recorder.StepAsync("sign in", () => pages.SignInAsync(email, password));

            IReadOnlyList<string> recoveryCodes = [];
            await recorder.StepAsync("Account/Security: enable two-factor authentication and save the recovery codes", async () =>
            {
                await pages.OpenSecurityAsync();
                (_, recoveryCodes) = await pages.EnableTwoFactorAsync();
                // Saved the way a careful user would: they stay with the run's artifacts (a throwaway account).
                await File.WriteAllLinesAsync(Path.Combine(artifacts, "recovery-codes.txt"), recoveryCodes, cancellationToken);
                await recorder.ScreenshotAsync("security");
            });

            await recorder.StepAsync($"Wallet: deposit {UsdDeposit} {QuoteAsset}", async () =>
            {
                await pages.OpenWalletAsync();
                await pages.DepositAsync(QuoteAsset, UsdDeposit);
                await Expect(await pages.BalanceAsync(QuoteAsset, "Total")).ToHaveTextAsync(DisplayedAmount.Exactly(UsdDeposit));
                await Expect(await pages.BalanceAsync(QuoteAsset, "Available")).ToHaveTextAsync(DisplayedAmount.Exactly(UsdDeposit));
            });

            await recorder.StepAsync($"a second trader (API) rests a limit sell of {Quantity} {BaseAsset} at {Price}", () => counterparty);

            await recorder.StepAsync("Markets: the market list links to the trade page", async () =>
            {
                await pages.OpenMarketsAsync(Market);
                await recorder.ScreenshotAsync("markets");
                await pages.OpenMarketFromListAsync(Market);
                await Expect(Showing(pages.OrderBook, Price)).ToBeVisibleAsync();
            });

            await recorder.StepAsync($"Trade: place a limit buy of {Quantity} {BaseAsset} at {Price} and confirm it", () =>
                pages.PlaceLimitBuyAsync(BaseAsset, Price, Quantity));

            await recorder.StepAsync("Trade: the fill shows as a toast, under Fills and on the Recent trades tape", async () =>
            {
                await Expect(pages.FillToast).ToBeVisibleAsync();
                await Expect(Showing(pages.RecentTrades, Price)).ToBeVisibleAsync();
                await Expect(Showing(pages.RecentTrades, Quantity)).ToBeVisibleAsync();
                await Expect(await pages.FillRowAsync(Price, Quantity, expectedFee)).ToBeVisibleAsync();
                await recorder.ScreenshotAsync("trade");
            });

            var usdLeft = UsdDeposit - Price * Quantity - expectedFee;
            await recorder.StepAsync($"Wallet: {BaseAsset} up by {Quantity}, {QuoteAsset} down by the notional and the {expectedFee} fee", async () =>
            {
                await pages.OpenWalletAsync();
                await Expect(await pages.BalanceAsync(BaseAsset, "Total")).ToHaveTextAsync(DisplayedAmount.Exactly(Quantity));
                await Expect(await pages.BalanceAsync(QuoteAsset, "Total")).ToHaveTextAsync(DisplayedAmount.Exactly(usdLeft));
                await Expect(await pages.BalanceAsync(QuoteAsset, "Available")).ToHaveTextAsync(DisplayedAmount.Exactly(usdLeft)); // nothing left on hold
                await recorder.ScreenshotAsync("wallet");
            });

            await recorder.StepAsync("sign out; the wallet then asks to sign in", async () =>
            {
                await pages.SignOutAsync();
                await pages.ExpectSignInRequiredAsync("/wallet");
            });

            await recorder.StepAsync("sign back in with a saved recovery code; the app returns to the wallet", async () =>
            {
                await pages.SignInWithRecoveryCodeAsync(email, password, recoveryCodes[0], "/wallet");
                await Expect(await pages.BalanceAsync(BaseAsset, "Total")).ToHaveTextAsync(DisplayedAmount.Exactly(Quantity));
            });
            passed = true;
        }
        finally
        {
            // When an earlier step broke, the counterparty has nothing more to do.
            await counterpartyCancellation.CancelAsync();
            await counterparty.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            await recorder.StopTracingAsync(context, keep: !passed);
            await context.CloseAsync();
        }
    }

    /// <summary>The second trader: signs up and verifies through the API and maildev, funds BTC, rests the sell.</summary>
    private static async Task RestingSellerAsync(HttpClient http, MailDevInbox inbox, CancellationToken cancellationToken)
    {
        var seller = await ApiTrader.SignUpVerifiedAsync(http, inbox, $"journey-seller-{Guid.NewGuid():N}@example.test", StrongPassword(), cancellationToken);
        await seller.DepositAsync(BaseAsset, SellerBtcDeposit, cancellationToken);
        await seller.RestLimitSellAsync(Market, Price, Quantity, cancellationToken);
    }

    /// <summary>
    /// The buyer crosses the resting sell, so it pays the taker rate on the notional, in the quote
    /// asset, rounded up to the asset's precision (docs/exchange.md, Fees).
    /// </summary>
    private static decimal TakerFee(JsonElement market, decimal notional)
    {
        var bps = decimal.Parse(market.GetProperty("takerFeeBps").GetString()!, CultureInfo.InvariantCulture);
        var scale = 1m;
        for (var digits = market.GetProperty("quotePrecision").GetInt32(); digits > 0; digits--)
        {
            scale *= 10;
        }
        return Math.Ceiling(notional * bps / 10_000m * scale) / scale;
    }

    /// <summary>
    /// The test platform's results directory: <c>--results-directory</c> when given (<c>./coinage test</c>
    /// passes artifacts/test-results), else its default, TestResults/ beside the test assembly.
    /// </summary>
    internal static string ResultsDirectory()
    {
        var arguments = Environment.GetCommandLineArgs();
        var index = Array.IndexOf(arguments, "--results-directory");
        return index >= 0 && index + 1 < arguments.Length
            ? Path.GetFullPath(arguments[index + 1])
            : Path.Combine(AppContext.BaseDirectory, "TestResults");
    }

    private static string StrongPassword() => $"amber-Lantern-{RandomNumberGenerator.GetHexString(10)}-orbit";

    /// <summary>SIGTERM, as Ctrl+C would; then every process the platform started must be gone.</summary>
    private static async Task<IReadOnlyList<int>> StopPlatformAsync(AppHostProcess apphost)
    {
        var children = apphost.Descendants();
        if (!apphost.Process.HasExited)
        {
            apphost.Signal("TERM");
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await apphost.Process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                apphost.Process.Kill(entireProcessTree: true);
                await apphost.Process.WaitForExitAsync(CancellationToken.None);
            }
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (children.Any(ProcessTree.IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, CancellationToken.None);
        }
        return children.Where(ProcessTree.IsAlive).ToList();
    }
}
