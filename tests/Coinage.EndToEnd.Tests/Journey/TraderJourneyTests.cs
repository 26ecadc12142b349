using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Coinage.EndToEnd.Tests.Journey.TraderPages;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// The trader's journey (issues 5 and 22, "Must show") in Debian's Chromium against the platform the AppHost starts,
/// all through the web app: sign up, verify by email (maildev), turn on 2FA, deposit, rest a limit buy and cancel it,
/// buy with a market order from a second trader's resting sell, find both orders in the history and in its CSV export,
/// withdraw through the emailed confirmation, and see the holdings and their total on the home page's portfolio. Each
/// step checks what the trader reads (amounts to the asset's precision, statuses). Screenshots of each page go to
/// journey-*/ in the test results (a failed run adds the page it broke on and a Playwright trace), and to the docs
/// when <see cref="DocScreenshots.Variable"/> asks.
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class TraderJourneyTests(BrowserPlatform platform)
{
    private const string Market = "BTC-USD";
    private const string BaseAsset = "BTC";
    private const string QuoteAsset = "USD";

    // The book is shared with the other browser tests, whose BTC-USD asks rest at 65,000 and above and whose bids at
    // 64,050 and below: the counterparty's ask is the best one, so the market buy fills against it alone, and the
    // journey's bid is the best one, so the book's row for it holds only its 0.01. Every price is inside the
    // seeded 10 % price band around the last BTC-USD trade (65,000 in the other tests), and off the round numbers.
    private const decimal AskPrice = 64_900m;
    private const decimal RestingBidPrice = 64_150m;
    private const decimal Quantity = 0.01m;
    private const decimal UsdDeposit = 1_000m;
    private const decimal SellerBtcDeposit = 0.05m;

    // What the market buy spends: one lot at the counterparty's ask (BTC-USD: 0.01 BTC lots, 1 USD ticks).
    private const decimal MarketBuyTotal = AskPrice * Quantity;
    private const decimal Withdrawal = 0.004m;
    private const decimal BtcWithdrawalFee = 0.0002m; // seeded (docs/exchange.md, Withdrawal fee)
    // BIP 173's example of a valid P2WPKH address (the form checks the bech32 checksum).
    private const string WithdrawalAddress = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    private const string WithdrawalLabel = "Hardware wallet";

    /// <summary>The Worker's funding rail sends a confirmed withdrawal within 10 s; a busy machine may delay a run.</summary>
    private static readonly TimeSpan RailPatience = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 30 * 60 * 1000)]
    public async Task A_new_trader_signs_up_secures_funds_trades_exports_withdraws_and_sees_the_portfolio()
    {
        if (!platform.HasChromium)
        {
            Assert.Skip($"{BrowserPlatform.ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        platform.EnsureRunning();
        var cancellationToken = TestContext.Current.CancellationToken;
        var artifacts = Path.Combine(ResultsDirectory(), $"journey-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        TestContext.Current.SendDiagnosticMessage($"Screenshots of the trader's journey: {artifacts}");

        var http = platform.Http;
        var inbox = platform.Inbox;
        var market = await http.GetFromJsonAsync<JsonElement>($"/api/v1/markets/{Market}", cancellationToken);
        // Taker: the market buy crosses the resting sell; on the notional, in the quote asset, rounded up.
        var expectedFee = TakerFee(market, AskPrice * Quantity);
        var usdLeft = UsdDeposit - AskPrice * Quantity - expectedFee;

        // The counterparty gets ready through the API while the browser signs up.
        using var counterpartyCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counterparty = RestingSellerAsync(http, inbox, counterpartyCancellation.Token);

        var context = await platform.NewContextAsync();
        var page = await context.NewPageAsync();
        var recorder = new JourneyRecorder(page, artifacts, () => platform.AppHost.Tail(40));
        var pages = new TraderPages(page, platform.Web);
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

            string totpSecret = "";
            IReadOnlyList<string> recoveryCodes = [];
            await recorder.StepAsync("Account/Security: enable two-factor authentication and save the recovery codes", async () =>
            {
                await pages.OpenSecurityAsync();
                (totpSecret, recoveryCodes) = await pages.EnableTwoFactorAsync();
                // Saved the way a careful user would: they stay with the run's artifacts (a throwaway account).
                await File.WriteAllLinesAsync(Path.Combine(artifacts, "recovery-codes.txt"), recoveryCodes, cancellationToken);
                await recorder.ScreenshotAsync("security");
            });

            await recorder.StepAsync($"Wallet: deposit {UsdDeposit} {QuoteAsset}", async () =>
            {
                await pages.OpenWalletAsync();
                await pages.DepositAsync(QuoteAsset, UsdDeposit);
                await Expect(await pages.BalanceAsync(QuoteAsset, "Total")).ToHaveTextAsync(DisplayedAmount.AsShown("1,000.00"));
                await Expect(await pages.BalanceAsync(QuoteAsset, "Available")).ToHaveTextAsync(DisplayedAmount.AsShown("1,000.00"));
            });

            await recorder.StepAsync($"a second trader (API) rests a limit sell of {Quantity} {BaseAsset} at {AskPrice}", () => counterparty);

            await recorder.StepAsync("Markets: the market list links to the trade page, whose book shows the ask", async () =>
            {
                await pages.OpenMarketsAsync(Market);
                await recorder.ScreenshotAsync("markets");
                await pages.OpenMarketFromListAsync(Market);
                await Expect(pages.OrderBook.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Ask 64,900 USD, 0.01 BTC") })).ToBeVisibleAsync();
            });

            await recorder.StepAsync($"Trade: rest a limit buy of {Quantity} {BaseAsset} at {RestingBidPrice}, under the ask", async () =>
            {
                await pages.RestLimitBuyAsync(BaseAsset, RestingBidPrice, Quantity);
                // The book marks it as the trader's own.
                await Expect(pages.OrderBook.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Bid 64,150 USD, 0.01 BTC, total [0-9.]+ BTC, yours 0.01 BTC") })).ToBeVisibleAsync();
            });

            await recorder.StepAsync("Trade: cancel it; Order history says Cancelled and the book no longer has it", async () =>
            {
                await pages.CancelOpenOrderAsync(RestingBidPrice);
                await Expect(pages.OrderBook.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Bid 64,150 USD") })).ToHaveCountAsync(0);
            });

            await recorder.StepAsync($"Trade: a market buy spending {MarketBuyTotal} {QuoteAsset} fills against the ask", async () =>
            {
                await pages.PlaceMarketBuyAsync(BaseAsset, MarketBuyTotal, Quantity, AskPrice);
                await Expect(pages.FillToast).ToBeVisibleAsync();
                await Expect(Showing(pages.RecentTrades, AskPrice)).ToBeVisibleAsync();
                await Expect(await pages.FillRowAsync(AskPrice, Quantity, expectedFee)).ToBeVisibleAsync();
                await recorder.ScreenshotAsync("trade");
            });

            await recorder.StepAsync("History: both orders, to their assets' decimals, with their statuses", async () =>
            {
                await pages.OpenHistoryAsync();
                await pages.FilterHistoryAsync("Market", Market, $"market={Market}");
                var rows = pages.HistoryOrderRows(Market);
                await Expect(rows).ToHaveCountAsync(2);
                // Newest first: the market buy (0.01 BTC filled at an average of 64,900, fee 1.30 USD), then the cancelled limit.
                await Expect(rows.Nth(0)).ToContainTextAsync("Filled");
                await Expect(rows.Nth(0)).ToContainTextAsync("Market");
                await Expect(rows.Nth(0)).ToContainTextAsync("0.01000000");
                await Expect(rows.Nth(0)).ToContainTextAsync("64,900.00");
                await Expect(rows.Nth(0)).ToContainTextAsync(expectedFee.ToString("N2", CultureInfo.InvariantCulture));
                await Expect(rows.Nth(1)).ToContainTextAsync("Cancelled");
                await Expect(rows.Nth(1)).ToContainTextAsync("64,150.00");
                await Expect(rows.Nth(1)).ToContainTextAsync("0.01000000");
                await recorder.ScreenshotAsync("history");
            });

            await recorder.StepAsync("History: Export CSV downloads those two orders", async () =>
            {
                var (name, lines) = await pages.ExportHistoryCsvAsync();
                Assert.Matches(@"^coinage-orders-\d{8}T\d{6}Z\.csv$", name);
                var header = lines[0].Split(',');
                Assert.Equal(["created_at", "order_id", "client_order_id", "market", "side", "type", "time_in_force", "post_only", "status", "close_reason",
                    "price", "trigger_price", "quantity", "quote_amount", "filled_quantity", "filled_quote", "average_price", "fee", "fee_asset", "updated_at",
                    "oco_partner_id"], header);
                var rows = lines.Skip(1).Select(l => l.Split(',')).Select(cells => header.Zip(cells).ToDictionary(p => p.First, p => p.Second)).ToList();
                Assert.Equal(2, rows.Count);
                var (marketBuy, limitBuy) = (rows[0], rows[1]);
                Assert.Equal(("BTC-USD", "buy", "market", "filled"), (marketBuy["market"], marketBuy["side"], marketBuy["type"], marketBuy["status"]));
                Assert.Equal(Quantity, Number(marketBuy["filled_quantity"]));
                Assert.Equal(AskPrice * Quantity, Number(marketBuy["filled_quote"]));
                Assert.Equal(AskPrice, Number(marketBuy["average_price"]));
                Assert.Equal((expectedFee, QuoteAsset), (Number(marketBuy["fee"]), marketBuy["fee_asset"]));
                Assert.Equal(("BTC-USD", "buy", "limit", "GTC", "cancelled", "user"),
                    (limitBuy["market"], limitBuy["side"], limitBuy["type"], limitBuy["time_in_force"], limitBuy["status"], limitBuy["close_reason"]));
                Assert.Equal((RestingBidPrice, Quantity, 0m), (Number(limitBuy["price"]), Number(limitBuy["quantity"]), Number(limitBuy["filled_quantity"])));
            });

            await recorder.StepAsync($"Wallet: {BaseAsset} up by {Quantity}, {QuoteAsset} down by the notional and the {expectedFee} fee", async () =>
            {
                await pages.OpenWalletAsync();
                await Expect(await pages.BalanceAsync(BaseAsset, "Total")).ToHaveTextAsync(DisplayedAmount.AsShown("0.01000000"));
                await Expect(await pages.BalanceAsync(QuoteAsset, "Total")).ToHaveTextAsync(DisplayedAmount.AsShown(usdLeft.ToString("N2", CultureInfo.InvariantCulture)));
                await Expect(await pages.BalanceAsync(QuoteAsset, "Available")).ToHaveTextAsync(DisplayedAmount.AsShown(usdLeft.ToString("N2", CultureInfo.InvariantCulture))); // nothing left on hold
            });

            await recorder.StepAsync($"Wallet: save an address (step-up with the authenticator) and withdraw {Withdrawal} {BaseAsset} to it with a 2FA code", async () =>
            {
                await pages.SaveWithdrawalAddressAsync(BaseAsset, WithdrawalLabel, WithdrawalAddress, totpSecret);
                var lines = await pages.WithdrawAsync(BaseAsset, Withdrawal, WithdrawalLabel, totpSecret);
                // BTC's seeded network fee is charged on top of the amount: what is withdrawn arrives.
                Assert.Equal(["Withdrawal fee: 0.00020000 BTC", "You will receive: 0.00400000 BTC", "Total deducted: 0.00420000 BTC"], lines);
                await Expect(pages.WithdrawalRow(WithdrawalAddress)).ToContainTextAsync("Awaiting email confirmation");
                await Expect(await pages.BalanceAsync(BaseAsset, "Held")).ToHaveTextAsync(DisplayedAmount.AsShown("0.00420000"));
                await Expect(await pages.BalanceAsync(BaseAsset, "Available")).ToHaveTextAsync(DisplayedAmount.AsShown("0.00580000"));
                await recorder.ScreenshotAsync("wallet");
            });

            await recorder.StepAsync("Wallet: confirm the withdrawal from the emailed link; the rail sends it", async () =>
            {
                var confirmation = await inbox.WithdrawalConfirmationLinkAsync(email, cancellationToken);
                await page.GotoAsync(confirmation.ToString());
                await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Withdrawal of 0.004" })).ToContainTextAsync("confirmed");
                await pages.OpenWalletAsync();
                await Expect(pages.WithdrawalRow(WithdrawalAddress)).ToContainTextAsync("Completed", new() { Timeout = (float)RailPatience.TotalMilliseconds });
                await Expect(await pages.BalanceAsync(BaseAsset, "Held")).ToHaveTextAsync(DisplayedAmount.AsShown("0.00000000"));
                await Expect(await pages.BalanceAsync(BaseAsset, "Total")).ToHaveTextAsync(DisplayedAmount.AsShown("0.00580000"));
            });

            var btcLeft = Quantity - Withdrawal - BtcWithdrawalFee;
            await recorder.StepAsync("Home: the portfolio values the holdings at the last trade and totals them", async () =>
            {
                await pages.OpenPortfolioAsync();
                // 0.0058 BTC at the last BTC-USD trade (the market buy's 64,900) is 376.42 USD.
                var btcValue = btcLeft * AskPrice;
                await Expect(pages.PortfolioTotal).ToHaveTextAsync($"{(usdLeft + btcValue).ToString("N2", CultureInfo.InvariantCulture)} USD");
                await Expect(pages.HoldingRow(BaseAsset)).ToContainTextAsync("0.00580000");
                await Expect(pages.HoldingRow(BaseAsset)).ToContainTextAsync("64,900.00");
                await Expect(pages.HoldingRow(BaseAsset)).ToContainTextAsync(btcValue.ToString("N2", CultureInfo.InvariantCulture));
                await Expect(pages.HoldingRow(QuoteAsset)).ToContainTextAsync(usdLeft.ToString("N2", CultureInfo.InvariantCulture));
                // 2FA is on: no prompt to turn it on.
                await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Two-factor authentication", Exact = true })).ToHaveCountAsync(0);
                await recorder.ScreenshotAsync("portfolio");
            });

            if (DocScreenshots.Enabled)
            {
                await recorder.StepAsync("screenshots of the main pages for docs/frontend.md", () => DocScreenshotsAsync(pages));
            }

            await recorder.StepAsync("sign out; the wallet then asks to sign in", async () =>
            {
                await pages.SignOutAsync();
                await pages.ExpectSignInRequiredAsync("/wallet");
            });

            await recorder.StepAsync("sign back in with a saved recovery code; the app returns to the wallet", async () =>
            {
                await pages.SignInWithRecoveryCodeAsync(email, password, recoveryCodes[0], "/wallet");
                await Expect(await pages.BalanceAsync(BaseAsset, "Total")).ToHaveTextAsync(DisplayedAmount.AsShown("0.00580000"));
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

    /// <summary>
    /// The main pages at 1440×900 and 390×844 in both colour modes, as this trader sees them now, and the visitor's
    /// home in a context of its own. Switching pages inside the app keeps the session (no reloads to refresh it).
    /// </summary>
    private async Task DocScreenshotsAsync(TraderPages pages)
    {
        var page = pages.Page;
        (string Name, string Path, Func<ILocator> Ready)[] shots =
        [
            ("home-portfolio", "/", () => page.GetByRole(AriaRole.Heading, new() { Name = "Portfolio", Exact = true, Level = 1 })),
            ("trade", $"/trade/{Market}", () => page.GetByRole(AriaRole.Region, new() { Name = "Recent trades", Exact = true }).Or(page.GetByRole(AriaRole.Tablist, new() { Name = "Trade panels", Exact = true })).First),
            ("history", "/history", () => page.GetByRole(AriaRole.Grid, new() { Name = "Orders", Exact = true })),
            ("wallet", "/wallet", () => page.GetByRole(AriaRole.Table, new() { Name = "Balances", Exact = true })),
            ("account-security", "/account/security", () => page.GetByText("On: signing in asks for a code from your authenticator app.")),
        ];
        foreach (var (width, height) in DocScreenshots.Sizes)
        {
            await page.SetViewportSizeAsync(width, height);
            foreach (var mode in DocScreenshots.Modes)
            {
                await pages.UseColorModeAsync(mode);
                foreach (var (name, path, ready) in shots)
                {
                    await pages.GoInAppAsync(path);
                    await Expect(ready()).ToBeVisibleAsync();
                    await pages.SettledAsync();
                    await DocScreenshots.TakeAsync(page, name, mode);
                }
            }
        }
        await page.SetViewportSizeAsync(1440, 900);
        await pages.UseColorModeAsync("light");

        var visitorContext = await platform.NewContextAsync();
        try
        {
            var visitor = await visitorContext.NewPageAsync();
            var visitorPages = new TraderPages(visitor, platform.Web);
            await visitor.GotoAsync(new Uri(platform.Web, "/").ToString());
            foreach (var (width, height) in DocScreenshots.Sizes)
            {
                await visitor.SetViewportSizeAsync(width, height);
                foreach (var mode in DocScreenshots.Modes)
                {
                    await visitorPages.UseColorModeAsync(mode);
                    await Expect(visitor.GetByRole(AriaRole.Table, new() { Name = "Markets", Exact = true }).GetByRole(AriaRole.Link, new() { Name = Market, Exact = true })).ToBeVisibleAsync();
                    await visitorPages.SettledAsync();
                    await DocScreenshots.TakeAsync(visitor, "home-visitor", mode);
                }
            }
        }
        finally
        {
            await visitorContext.CloseAsync();
        }
    }

    /// <summary>The second trader: signs up and verifies through the API and maildev, funds BTC, rests the sell.</summary>
    private static async Task RestingSellerAsync(HttpClient http, MailDevInbox inbox, CancellationToken cancellationToken)
    {
        var seller = await ApiTrader.SignUpVerifiedAsync(http, inbox, $"journey-seller-{Guid.NewGuid():N}@example.test", StrongPassword(), cancellationToken);
        await seller.DepositAsync(BaseAsset, SellerBtcDeposit, cancellationToken);
        await seller.RestLimitSellAsync(Market, AskPrice, Quantity, cancellationToken);
    }

    private static decimal Number(string cell) => decimal.Parse(cell, NumberStyles.Number, CultureInfo.InvariantCulture);

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
}
