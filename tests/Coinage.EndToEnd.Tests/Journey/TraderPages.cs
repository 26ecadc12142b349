using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OtpNet;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// The trader's pages as a person sees them: every element found by its role and accessible name
/// (docs: CONTRACTS.md C), every check an auto-waiting Playwright assertion.
/// </summary>
internal sealed class TraderPages(IPage page, Uri web)
{
    // The authenticator codes this person has typed: the API takes each one once.
    private readonly HashSet<string> _usedCodes = [];

    public IPage Page => page;

    public static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    public static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    // ── sign-up, verification, sign-in ──────────────────────────────────────────────────────

    public async Task SignUpAsync(string email, string password)
    {
        await page.GotoAsync(Url("/sign-up"));
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Sign up", Exact = true });
        await Field(form, "Email").FillAsync(email);
        await Field(form, "Password").FillAsync(password);
        await form.GetByRole(AriaRole.Checkbox, new() { NameRegex = new Regex("^I accept the terms") }).CheckAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Create account", Exact = true }).ClickAsync();
        await Expect(Heading("Check your email")).ToBeVisibleAsync();
        await Expect(page.GetByText(email)).ToBeVisibleAsync();
    }

    /// <summary>Opens the emailed link; "Continue" leads to the account, which asks a signed-out visitor to sign in.</summary>
    public async Task OpenVerificationLinkAsync(Uri link)
    {
        await page.GotoAsync(link.ToString());
        await Expect(Heading("Email verified")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue", Exact = true }).ClickAsync();
    }

    /// <summary>Signs in on the sign-in page the app sent us to, and lands on the account page.</summary>
    public async Task SignInAsync(string email, string password)
    {
        await EnterPasswordAsync(email, password);
        // Signed in: on the home page's portfolio, or back on the page that asked for the sign-in (the account page
        // after an email verification).
        await Expect(Heading("Portfolio").Or(Heading("Your account"))).ToBeVisibleAsync();
    }

    /// <summary>
    /// Signs in with the password and, as someone who lost the authenticator would, one of the saved
    /// recovery codes; the app then returns to the page that asked for the sign-in.
    /// </summary>
    public async Task SignInWithRecoveryCodeAsync(string email, string password, string recoveryCode, string returnPath)
    {
        await EnterPasswordAsync(email, password);
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Two-factor authentication", Exact = true });
        await form.GetByRole(AriaRole.Button, new() { Name = "Use a recovery code", Exact = true }).ClickAsync();
        await Field(form, "Recovery code").FillAsync(recoveryCode);
        await form.GetByRole(AriaRole.Button, new() { Name = "Verify", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"{Regex.Escape(returnPath)}$"));
    }

    private async Task EnterPasswordAsync(string email, string password)
    {
        await Expect(page).ToHaveURLAsync(new Regex("/sign-in$"));
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Sign in", Exact = true });
        await Field(form, "Email").FillAsync(email);
        await Field(form, "Password").FillAsync(password);
        await form.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    /// <summary>
    /// The bootstrap administrator's first sign-in: every page is "Choose your own password" until the generated
    /// one is replaced; then the session refreshes and the page asked for opens.
    /// </summary>
    public async Task ReplaceGeneratedPasswordAsync(string email, string generated, string chosen)
    {
        await page.GotoAsync(Url("/sign-in"));
        await EnterPasswordAsync(email, generated);
        await Expect(Heading("Choose your own password")).ToBeVisibleAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Change password", Exact = true });
        await Field(form, "Current password").FillAsync(generated);
        await Field(form, "New password").FillAsync(chosen);
        await Field(form, "Repeat the new password").FillAsync(chosen);
        await form.GetByRole(AriaRole.Button, new() { Name = "Change password", Exact = true }).ClickAsync();
        await Expect(Heading("Choose your own password")).ToBeHiddenAsync();
    }

    // ── Account / Security ─────────────────────────────────────────────────────────────────

    public async Task OpenSecurityAsync()
    {
        await NavigateAsync("Account", "/account");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Security", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/account/security$"));
    }

    /// <summary>
    /// Enrols an authenticator: reads the key the set-up shows, answers with the code an app would
    /// compute from it, and returns the recovery codes the page then shows once.
    /// </summary>
    public async Task<(string Secret, IReadOnlyList<string> RecoveryCodes)> EnableTwoFactorAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up two-factor authentication", Exact = true }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Enable two-factor authentication", Exact = true });
        await Expect(form.GetByRole(AriaRole.Img, new() { Name = "QR code for your authenticator app" })).ToBeVisibleAsync();
        // The key is shown as text for typing it by hand; a <code> element has no more specific role.
        var secret = (await form.Locator("code").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).Trim();
        Assert.Matches("^[A-Z2-7]+=*$", secret);
        await Field(form, "Authentication code").FillAsync(await FreshCodeAsync(secret));
        await form.GetByRole(AriaRole.Button, new() { Name = "Enable", Exact = true }).ClickAsync();

        var codes = page.GetByRole(AriaRole.List, new() { Name = "Recovery codes", Exact = true }).GetByRole(AriaRole.Listitem);
        await Expect(codes).ToHaveCountAsync(10);
        await Expect(page.GetByText("On: signing in asks for a code from your authenticator app.")).ToBeVisibleAsync();
        var recoveryCodes = (await codes.AllInnerTextsAsync()).Select(c => c.Trim()).ToList();
        Assert.Equal(recoveryCodes.Count, recoveryCodes.Distinct(StringComparer.Ordinal).Count());
        return (secret, recoveryCodes);
    }

    /// <summary>
    /// A code the API has not seen yet: it accepts each time step's code once (replay protection), so after a
    /// code was used this waits for the authenticator's next one, as a person would.
    /// </summary>
    public async Task<string> FreshCodeAsync(string secret)
    {
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        while (true)
        {
            var code = totp.ComputeTotp(DateTime.UtcNow);
            if (_usedCodes.Add(code))
            {
                return code;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// After an action that may need a fresh proof (step-up, docs/identity.md): waits for either its
    /// <paramref name="outcome"/> or the step-up dialog, and answers the dialog with a code from the authenticator.
    /// </summary>
    public async Task StepUpIfAskedAsync(ILocator outcome, string secret)
    {
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm it is you", Exact = true });
        await Expect(outcome.Or(dialog).First).ToBeVisibleAsync();
        if (await dialog.IsVisibleAsync())
        {
            await Field(dialog, "Authentication code").FillAsync(await FreshCodeAsync(secret));
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Confirm", Exact = true }).ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
        }
        await Expect(outcome).ToBeVisibleAsync();
    }

    // ── Markets and trading ────────────────────────────────────────────────────────────────

    public async Task OpenMarketsAsync(string symbol)
    {
        await NavigateAsync("Markets", "/markets");
        var markets = page.GetByRole(AriaRole.Table, new() { Name = "Markets", Exact = true });
        await Expect(markets.GetByRole(AriaRole.Link, new() { Name = symbol, Exact = true })).ToBeVisibleAsync();
    }

    public async Task OpenMarketFromListAsync(string symbol)
    {
        var markets = page.GetByRole(AriaRole.Table, new() { Name = "Markets", Exact = true });
        await markets.GetByRole(AriaRole.Link, new() { Name = symbol, Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/trade/{Regex.Escape(symbol)}$"));
        foreach (var region in (string[])["Price chart", "Order book", "Recent trades", "Place order"])
        {
            await Expect(Section(region)).ToBeVisibleAsync();
        }
    }

    public ILocator OrderBook => Section("Order book");

    public ILocator RecentTrades => Section("Recent trades");

    /// <summary>Fills the order form for a limit buy and confirms it in the dialog.</summary>
    public async Task PlaceLimitBuyAsync(string baseAsset, decimal price, decimal quantity)
    {
        var form = Section("Place order");
        await SelectToggleAsync(form.GetByRole(AriaRole.Button, new() { Name = "Buy", Exact = true }));
        await SelectToggleAsync(form.GetByRole(AriaRole.Button, new() { Name = "Limit", Exact = true }));
        await Field(form, "Price").FillAsync(Invariant(price));
        await Field(form, "Amount").FillAsync(Invariant(quantity));
        await Expect(Field(form, "Total")).ToHaveValueAsync(DisplayedAmount.Exactly(price * quantity));
        await Expect(form.GetByRole(AriaRole.Checkbox, new() { Name = "Post only", Exact = true })).Not.ToBeCheckedAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = $"Buy {baseAsset}", Exact = true }).ClickAsync();

        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm order", Exact = true });
        await Expect(Showing(dialog, price)).ToBeVisibleAsync();
        await Expect(Showing(dialog, quantity)).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Place order", Exact = true }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }

    /// <summary>A limit buy that does not cross: placed, then listed under Open orders with what it holds.</summary>
    public async Task RestLimitBuyAsync(string baseAsset, decimal price, decimal quantity)
    {
        await PlaceLimitBuyAsync(baseAsset, price, quantity);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Open orders", Exact = true }).ClickAsync();
        var row = OpenOrderRow(price);
        await Expect(row).ToHaveCountAsync(1);
        // A row's text runs its cells together ("64,1500.01 BTC"): the amount is looked for in a cell of its own.
        await Expect(row.Filter(new() { Has = CellShowing(quantity) })).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Open");
    }

    /// <summary>Cancels the resting order at this price from the Open orders tab; it moves to Order history as Cancelled.</summary>
    public async Task CancelOpenOrderAsync(decimal price)
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = "Open orders", Exact = true }).ClickAsync();
        await OpenOrderRow(price).GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(OpenOrderRow(price)).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Order history", Exact = true }).ClickAsync();
        var row = page.GetByRole(AriaRole.Table, new() { Name = "Order history", Exact = true }).GetByRole(AriaRole.Row)
            .Filter(new() { Has = CellShowing(price) });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("Cancelled");
    }

    private ILocator OpenOrderRow(decimal price) =>
        page.GetByRole(AriaRole.Table, new() { Name = "Open orders", Exact = true }).GetByRole(AriaRole.Row).Filter(new() { Has = CellShowing(price) });

    /// <summary>
    /// A market buy that spends <paramref name="total"/>: the ticket says what it should get at the best ask
    /// before it is sent, the confirmation shows the budget, and it is placed.
    /// </summary>
    public async Task PlaceMarketBuyAsync(string baseAsset, decimal total, decimal expectedQuantity, decimal bestAsk)
    {
        var form = Section("Place order");
        await SelectToggleAsync(form.GetByRole(AriaRole.Button, new() { Name = "Buy", Exact = true }));
        await SelectToggleAsync(form.GetByRole(AriaRole.Button, new() { Name = "Market", Exact = true }));
        await Field(form, "Total").FillAsync(Invariant(total));
        var estimate = form.GetByTestId("order-fee");
        await Expect(estimate).ToContainTextAsync(new Regex($@"Buys ≈ {DisplayedAmount.Within(expectedQuantity)} {Regex.Escape(baseAsset)} at an average of {DisplayedAmount.Within(bestAsk)}"));
        await Expect(estimate).ToContainTextAsync("taker");
        await form.GetByRole(AriaRole.Button, new() { Name = $"Buy {baseAsset}", Exact = true }).ClickAsync();

        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm order", Exact = true });
        await Expect(Showing(dialog, total)).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Place order", Exact = true }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }

    /// <summary>The toast announcing the fill (an alert or a status message).</summary>
    public ILocator FillToast =>
        page.GetByRole(AriaRole.Alert).Or(page.GetByRole(AriaRole.Status))
            .Filter(new() { HasTextRegex = new Regex("filled", RegexOptions.IgnoreCase) }).First;

    /// <summary>The row of the Fills tab with cells showing this price, this size and this fee.</summary>
    public async Task<ILocator> FillRowAsync(decimal price, decimal quantity, decimal fee)
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = "Fills", Exact = true }).ClickAsync();
        return page.GetByRole(AriaRole.Tabpanel).GetByRole(AriaRole.Row)
            .Filter(new() { Has = CellShowing(price) })
            .Filter(new() { Has = CellShowing(quantity) })
            .Filter(new() { Has = CellShowing(fee) });
    }

    /// <summary>
    /// The innermost element of <paramref name="scope"/> whose text shows the amount. A region's
    /// whole text runs its cells together ("27,3500.01"), so amounts are looked for element by element.
    /// </summary>
    public static ILocator Showing(ILocator scope, decimal amount) => scope.GetByText(DisplayedAmount.Within(amount)).First;

    private ILocator CellShowing(decimal amount) => page.GetByRole(AriaRole.Cell, new() { NameRegex = DisplayedAmount.Exactly(amount) });

    // ── Wallet ─────────────────────────────────────────────────────────────────────────────

    public Task OpenWalletAsync() => NavigateAsync("Wallet", "/wallet");

    public async Task DepositAsync(string asset, decimal amount)
    {
        var form = Section("Deposit");
        await ChooseAsync(form, "Asset", asset);
        await Field(form, "Amount").FillAsync(Invariant(amount));
        await form.GetByRole(AriaRole.Button, new() { Name = "Deposit", Exact = true }).ClickAsync();
    }

    /// <summary>The cell of the Balances table in the asset's row and the named column (Available, Held, Total).</summary>
    public async Task<ILocator> BalanceAsync(string asset, string column)
    {
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Balances", Exact = true });
        await Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = column, Exact = true })).ToBeVisibleAsync();
        var headers = (await table.GetByRole(AriaRole.Columnheader).AllInnerTextsAsync()).Select(h => h.Trim()).ToList();
        var index = headers.IndexOf(column);
        // The asset's row: one of its cells (or its row header) names the asset.
        var assetName = new Regex($@"(^|\s){Regex.Escape(asset)}(\s|$)");
        var row = table.GetByRole(AriaRole.Row).Filter(new()
        {
            Has = page.GetByRole(AriaRole.Cell, new() { NameRegex = assetName }).Or(page.GetByRole(AriaRole.Rowheader, new() { NameRegex = assetName })),
        });
        return row.Locator(":scope > td, :scope > th").Nth(index);
    }

    /// <summary>Saves a withdrawal address in the address book, answering the step-up it asks for.</summary>
    public async Task SaveWithdrawalAddressAsync(string asset, string label, string address, string totpSecret)
    {
        var book = page.GetByRole(AriaRole.Form, new() { Name = "Add withdrawal address", Exact = true });
        await ChooseAsync(book, "Asset", asset);
        await Field(book, "Label").FillAsync(label);
        await Field(book, "Address").FillAsync(address);
        await book.GetByRole(AriaRole.Button, new() { Name = "Save address", Exact = true }).ClickAsync();
        await StepUpIfAskedAsync(book.GetByRole(AriaRole.Status).Filter(new() { HasText = "you can withdraw to it now" }), totpSecret);
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Withdrawal addresses", Exact = true })).ToContainTextAsync(address);
    }

    /// <summary>
    /// Withdraws to a saved address with the code from the authenticator; returns the lines the form showed under
    /// the amount before it was sent (the fee, what arrives, what leaves the balance).
    /// </summary>
    public async Task<IReadOnlyList<string>> WithdrawAsync(string asset, decimal amount, string addressLabel, string totpSecret)
    {
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Withdraw", Exact = true });
        await ChooseAsync(form, "Asset", asset);
        await Field(form, "Amount").FillAsync(Invariant(amount));
        await ChooseAsync(form, "Address", addressLabel);
        var total = form.GetByText(new Regex("^Total deducted: "));
        await Expect(total).Not.ToHaveTextAsync(new Regex("—$"));
        string[] lines =
        [
            await form.GetByText(new Regex("^Withdrawal fee: ")).InnerTextAsync(),
            await form.GetByText(new Regex("^You will receive: ")).InnerTextAsync(),
            await total.InnerTextAsync(),
        ];
        await Field(form, "Two-factor code").FillAsync(await FreshCodeAsync(totpSecret));
        await form.GetByRole(AriaRole.Button, new() { Name = "Withdraw", Exact = true }).ClickAsync();
        return lines;
    }

    /// <summary>The newest withdrawal to this address in the wallet's Withdrawals list (newest first).</summary>
    public ILocator WithdrawalRow(string address) =>
        page.GetByRole(AriaRole.Grid, new() { Name = "Withdrawals", Exact = true }).GetByRole(AriaRole.Row).Filter(new() { HasText = address }).First;

    // ── History ────────────────────────────────────────────────────────────────────────────

    public Task OpenHistoryAsync() => NavigateAsync("History", "/history");

    /// <summary>The Orders grid's rows (the header row excluded) that show this market.</summary>
    public ILocator HistoryOrderRows(string market) =>
        page.GetByRole(AriaRole.Grid, new() { Name = "Orders", Exact = true }).GetByRole(AriaRole.Row).Filter(new() { HasText = market });

    /// <summary>Picks a filter of the history (Market, Side, Status) as a person does, and waits for it in the URL.</summary>
    public async Task FilterHistoryAsync(string filter, string option, string query)
    {
        await ChooseAsync(page.GetByRole(AriaRole.Form, new() { Name = "Filter the history", Exact = true }), filter, option);
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(query)));
    }

    /// <summary>Exports the history as the page filters it; returns the downloaded file's name and lines.</summary>
    public async Task<(string Name, IReadOnlyList<string> Lines)> ExportHistoryCsvAsync()
    {
        var download = await page.RunAndWaitForDownloadAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV", Exact = true }).ClickAsync());
        var lines = await File.ReadAllLinesAsync(await download.PathAsync());
        return (download.SuggestedFilename, lines);
    }

    // ── Home: the portfolio ────────────────────────────────────────────────────────────────

    public async Task OpenPortfolioAsync()
    {
        await NavigateAsync("Home", "/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Portfolio", Exact = true, Level = 1 })).ToBeVisibleAsync();
    }

    public ILocator PortfolioTotal => page.GetByTestId("portfolio-total");

    /// <summary>The asset's row of the portfolio's Holdings table.</summary>
    public ILocator HoldingRow(string asset) =>
        page.GetByRole(AriaRole.Table, new() { Name = "Holdings", Exact = true }).GetByRole(AriaRole.Row)
            .Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = asset, Exact = true }) });

    // ── the app shell ──────────────────────────────────────────────────────────────────────

    /// <summary>
    /// Opens a page of the app as its own links do (History API and popstate, which React Router follows), without
    /// a page load: the session, the colour mode and an injected axe-core stay.
    /// </summary>
    public async Task GoInAppAsync(string path)
    {
        await page.EvaluateAsync("path => { history.pushState(null, '', path); window.dispatchEvent(new PopStateEvent('popstate')); }", path);
        await Expect(page).ToHaveURLAsync(new Regex($"{Regex.Escape(path)}$"));
    }

    /// <summary>Switches the colour mode with the app bar's button unless it is already <paramref name="mode"/> ("light" or "dark").</summary>
    public async Task UseColorModeAsync(string mode)
    {
        var other = mode == "dark" ? "light" : "dark";
        var toMode = page.GetByRole(AriaRole.Button, new() { Name = $"Switch to {mode} mode", Exact = true });
        var toOther = page.GetByRole(AriaRole.Button, new() { Name = $"Switch to {other} mode", Exact = true });
        await Expect(toMode.Or(toOther).First).ToBeVisibleAsync();
        if (await toMode.IsVisibleAsync())
        {
            await toMode.ClickAsync();
        }
        await Expect(toOther).ToBeVisibleAsync();
        // Away from the button: its tooltip would be scanned and photographed.
        await page.Mouse.MoveAsync(1, 400);
        await Expect(page.GetByRole(AriaRole.Tooltip)).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Waits until nothing on the page is loading (no indeterminate progress bar, no skeleton) or moving: a button
    /// caught halfway through its colour transition, as it turns enabled when its data arrives, would be measured at
    /// a contrast it never rests at.
    /// </summary>
    public async Task SettledAsync()
    {
        await Expect(page.Locator("[role=progressbar]:not([aria-valuenow]), .MuiSkeleton-root")).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync(
            "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity)",
            null, new() { PollingInterval = 100 });
    }

    public async Task SignOutAsync()
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(Navigation.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
    }

    /// <summary>Opening a signed-in page while signed out leads to the sign-in form.</summary>
    public async Task ExpectSignInRequiredAsync(string path)
    {
        await page.GotoAsync(Url(path));
        await Expect(page).ToHaveURLAsync(new Regex("/sign-in$"));
        await Expect(page.GetByRole(AriaRole.Form, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
    }

    private ILocator Navigation => page.GetByRole(AriaRole.Navigation, new() { Name = "Main", Exact = true });

    private async Task NavigateAsync(string link, string path)
    {
        await Navigation.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"{Regex.Escape(path)}$"));
    }

    private ILocator Heading(string name) => page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true });

    /// <summary>A named part of a page: a labelled region or form.</summary>
    private ILocator Section(string name) =>
        page.GetByRole(AriaRole.Region, new() { Name = name, Exact = true })
            .Or(page.GetByRole(AriaRole.Form, new() { Name = name, Exact = true })).First;

    /// <summary>A text field by its label; a required field's label ends with an asterisk.</summary>
    private static ILocator Field(ILocator scope, string label) =>
        scope.GetByLabel(new Regex($@"^{Regex.Escape(label)}[\s*]*$"));

    /// <summary>Presses a toggle button unless it is already on: pressing it again could turn it off.</summary>
    private static async Task SelectToggleAsync(ILocator toggle)
    {
        if (await toggle.GetAttributeAsync("aria-pressed") != "true")
        {
            await toggle.ClickAsync();
        }
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
    }

    /// <summary>Picks an option in a native &lt;select&gt; or in a listbox-style select.</summary>
    private async Task ChooseAsync(ILocator scope, string label, string option)
    {
        var select = scope.GetByRole(AriaRole.Combobox, new() { NameRegex = new Regex($"^{Regex.Escape(label)}") });
        if (await select.EvaluateAsync<string>("e => e.tagName") == "SELECT")
        {
            await select.SelectOptionAsync(option); // by value or by label
        }
        else
        {
            await select.ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { NameRegex = new Regex($@"^{Regex.Escape(option)}\b") }).ClickAsync();
            await Expect(select).ToContainTextAsync(option);
        }
    }

    private string Url(string path) => new Uri(web, path).ToString();

    private static string Invariant(decimal amount) => amount.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
