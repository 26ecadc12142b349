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
        await Field(form, "Authentication code").FillAsync(CurrentCode(secret));
        await form.GetByRole(AriaRole.Button, new() { Name = "Enable", Exact = true }).ClickAsync();

        var codes = page.GetByRole(AriaRole.List, new() { Name = "Recovery codes", Exact = true }).GetByRole(AriaRole.Listitem);
        await Expect(codes).ToHaveCountAsync(10);
        await Expect(page.GetByText("On: signing in asks for a code from your authenticator app.")).ToBeVisibleAsync();
        var recoveryCodes = (await codes.AllInnerTextsAsync()).Select(c => c.Trim()).ToList();
        Assert.Equal(recoveryCodes.Count, recoveryCodes.Distinct(StringComparer.Ordinal).Count());
        return (secret, recoveryCodes);
    }

    /// <summary>The code an authenticator app shows now (RFC 6238: 30 s, 6 digits, SHA-1), as the ApiService checks it.</summary>
    public static string CurrentCode(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);

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

    // ── the app shell ──────────────────────────────────────────────────────────────────────

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
