using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;
using Microsoft.Playwright;
using static Coinage.EndToEnd.Tests.Journey.TraderPages;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// Issue 22, item 8: axe-core on every page of the web app, in both colour modes at 1440×900 and in light at a phone's
/// 390×844, as a visitor, a trader and an administrator, with no serious or critical violation; then the pages an
/// email's link opens (with real tokens from maildev, and spent or broken ones) and every dialog and show-once panel,
/// opened. Pages are opened inside the app (no reloads: the session and the injected engine stay) and scanned once
/// what they load has arrived. Every page is scanned before the test fails, so one run reports all of them; the counts
/// go to axe-scans.txt in the test results (docs/frontend.md, Accessibility).
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class AccessibilityTests(BrowserPlatform platform)
{
    private const string Market = "BTC-USD";

    /// <summary>A phone, portrait: scanned in light only (the dark theme's colours are the desktop's).</summary>
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private static readonly ViewportSize Desktop = new() { Width = 1440, Height = 900 };

    [Fact(Timeout = 30 * 60 * 1000)]
    public async Task Every_page_has_no_serious_or_critical_axe_violation_in_either_colour_mode_and_on_a_phone()
    {
        if (!platform.HasChromium)
        {
            Assert.Skip($"{BrowserPlatform.ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        platform.EnsureRunning();
        var ct = TestContext.Current.CancellationToken;
        var scans = new List<AxeScan>();

        // A visitor: the public pages.
        await WithPageAsync(async (page, pages) =>
        {
            await page.GotoAsync(new Uri(platform.Web, "/").ToString());
            await ScanAllAsync(pages, "visitor", scans,
            [
                ("home", "/", H1("Trade digital assets on order-book markets")),
                ("markets", "/markets", H1("Markets")),
                ("trade", $"/trade/{Market}", p => Shown(p.GetByRole(AriaRole.Link, new() { Name = "Sign in to trade", Exact = true }).Or(TradePanels(p)))),
                ("sign in", "/sign-in", H1("Sign in")),
                ("sign up", "/sign-up", H1("Create your account")),
                ("forgot password", "/forgot-password", H1("Reset your password")),
                ("status", "/status", H1("Platform status")),
                ("not found", "/no-such-page", p => p.GetByRole(AriaRole.Heading, new() { Level = 1 })),
            ]);
        });

        // A trader with a balance and a resting order: the lists have rows to scan.
        var (seller, sellerPassword) = await platform.TraderAsync("a11y-seller", new Dictionary<string, decimal> { ["BTC"] = 0.1m }, ct);
        var ask = await seller.RestLimitSellAsync(Market, 65_250m, 0.02m, ct);
        var (trader, password) = await platform.TraderAsync("a11y-trader", new Dictionary<string, decimal> { ["USD"] = 3_000m }, ct);
        var bid = await trader.RestLimitBuyAsync(Market, 64_050m, 0.01m, ct);
        try
        {
            await WithPageAsync(async (page, pages) =>
            {
                await page.GotoAsync(new Uri(platform.Web, "/sign-in").ToString());
                await pages.SignInAsync(trader.Email, password);
                await ScanAllAsync(pages, "trader", scans,
                [
                    ("home (portfolio)", "/", H1("Portfolio")),
                    ("markets", "/markets", H1("Markets")),
                    ("trade", $"/trade/{Market}", p => Shown(TradePanels(p).Or(p.GetByRole(AriaRole.Region, new() { Name = "Place order", Exact = true })))),
                    ("history", "/history", H1("History")),
                    ("wallet", "/wallet", H1("Wallet")),
                    ("account: profile", "/account", p => p.GetByRole(AriaRole.Tab, new() { Name = "Profile", Selected = true })),
                    ("account: security", "/account/security", p => p.GetByRole(AriaRole.Tab, new() { Name = "Security", Selected = true })),
                    ("account: sessions", "/account/sessions", p => p.GetByRole(AriaRole.Tab, new() { Name = "Sessions", Selected = true })),
                    ("account: privacy", "/account/privacy", p => p.GetByRole(AriaRole.Tab, new() { Name = "Privacy", Selected = true })),
                    ("status", "/status", H1("Platform status")),
                ]);
            });
        }
        finally
        {
            // The browser collection shares the book: no liquidity left behind for another test's market order.
            // New sessions: the first ones' access tokens may have expired over the scans.
            await (await ApiTrader.SignInAsync(platform.Http, seller.Email, sellerPassword, ct)).CancelOrderAsync(ask, ct);
            await (await ApiTrader.SignInAsync(platform.Http, trader.Email, password, ct)).CancelOrderAsync(bid, ct);
        }

        // The bootstrap administrator: the forced password change, 2FA, then every staff page.
        await WithPageAsync(async (page, pages) =>
        {
            var chosen = $"harbour-Quartz-{Guid.NewGuid():N}-admin";
            await pages.ReplaceGeneratedPasswordAsync(BrowserPlatform.AdminEmail, platform.AdminPassword, chosen);
            await pages.OpenSecurityAsync();
            await pages.EnableTwoFactorAsync();
            await ScanAllAsync(pages, "admin", scans,
            [
                ("users", "/admin/users", H1("Users")),
                ("markets and risk controls", "/admin/markets", H1("Manage markets")),
                ("funding", "/admin/funding", H1("Funding")),
                ("reconciliation", "/admin/reconciliation", H1("Reconciliation")),
                ("audit log", "/admin/audit", H1("Audit log")),
                ("audit search", "/admin/audit-search", H1("Audit search")),
            ]);
        });

        AssertNoBlocking(scans);
    }

    [Fact(Timeout = 20 * 60 * 1000)]
    public async Task The_emailed_links_pages_and_every_dialog_opened_have_no_serious_or_critical_axe_violation()
    {
        if (!platform.HasChromium)
        {
            Assert.Skip($"{BrowserPlatform.ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        platform.EnsureRunning();
        var ct = TestContext.Current.CancellationToken;
        var scans = new List<AxeScan>();

        // The visitor who opens the emailed links: verify-email and reset-password with the real tokens from maildev, the
        // same links once spent, a token that does not work and a link cut short.
        var email = $"a11y-links-{Guid.NewGuid():N}@example.test";
        var password = NewPassword();
        await ApiTrader.RegisterAsync(platform.Http, email, password, ct);
        var verification = await platform.Inbox.VerificationLinkAsync(email, ct);
        await WithPageAsync(async (page, pages) =>
        {
            await page.GotoAsync(verification.ToString());
            await ScanStateAsync(pages, "verify email: verified", scans, H1("Email verified")(page));
            await pages.GoInAppAsync("/status");
            await pages.GoInAppAsync(verification.PathAndQuery);
            await ScanStateAsync(pages, "verify email: the link once spent", scans, Spent(page, "Send a new verification link"));
            await pages.GoInAppAsync("/status");
            await pages.GoInAppAsync("/verify-email");
            await ScanStateAsync(pages, "verify email: a link cut short", scans, Spent(page, "Send a new verification link"));

            using (var forgot = await platform.Http.PostAsJsonAsync("/api/v1/auth/forgot-password", new { email }, ct))
            {
                Assert.True(forgot.IsSuccessStatusCode, $"forgot-password answered {(int)forgot.StatusCode}");
            }
            var reset = await platform.Inbox.PasswordResetLinkAsync(email, ct);
            var userId = HttpUtility.ParseQueryString(reset.Query)["userId"];
            var form = page.GetByRole(AriaRole.Form, new() { Name = "Choose a new password", Exact = true });
            var chosen = NewPassword();

            // A token that does not work (expired, or spent by an earlier reset): the form, then its answer.
            await pages.GoInAppAsync($"/reset-password?userId={userId}&token=spent");
            await ScanStateAsync(pages, "reset password: the form", scans, form);
            await ChooseNewPasswordAsync(form, chosen);
            await ScanStateAsync(pages, "reset password: a token that does not work", scans, form.GetByRole(AriaRole.Alert).First);
            await pages.GoInAppAsync("/status");
            await pages.GoInAppAsync(reset.PathAndQuery);
            await ChooseNewPasswordAsync(form, chosen);
            await ScanStateAsync(pages, "reset password: changed", scans, H1("Password changed")(page));
            await pages.GoInAppAsync("/reset-password");
            await ScanStateAsync(pages, "reset password: a link cut short", scans, page.GetByRole(AriaRole.Link, new() { Name = "Ask for a new link", Exact = true }));
        });

        // A trader whose second factor was turned on from another session (the API's): this session's sign-in, a
        // password, no longer counts as a fresh proof, so the first sensitive action asks for a step-up.
        var (secured, securedPassword) = await platform.TraderAsync("a11y-2fa", new Dictionary<string, decimal>(), ct);
        await WithPageAsync(async (page, pages) =>
        {
            await page.GotoAsync(new Uri(platform.Web, "/sign-in").ToString());
            await pages.SignInAsync(secured.Email, securedPassword);
            var setup = await secured.PostAsync("/api/v1/account/2fa/setup", new { }, HttpStatusCode.OK, ct);
            var secret = setup!.Value.GetProperty("secret").GetString()!;
            await secured.PostAsync("/api/v1/account/2fa/enable", new { code = await pages.FreshCodeAsync(secret) }, HttpStatusCode.OK, ct);

            await pages.GoInAppAsync("/account/security");
            var create = page.GetByRole(AriaRole.Form, new() { Name = "Create an API key", Exact = true });
            await Field(create, "Key name").FillAsync("Accessibility scan");
            var stepUp = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm it is you", Exact = true });
            await ScanDialogAsync(pages, "step-up dialog", scans, stepUp,
                () => create.GetByRole(AriaRole.Button, new() { Name = "Create API key", Exact = true }).ClickAsync(),
                () => stepUp.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync());
            await create.GetByRole(AriaRole.Button, new() { Name = "Create API key", Exact = true }).ClickAsync();
            await Field(stepUp, "Authentication code").FillAsync(await pages.FreshCodeAsync(secret));
            await stepUp.GetByRole(AriaRole.Button, new() { Name = "Confirm", Exact = true }).ClickAsync();
            await Expect(stepUp).ToBeHiddenAsync();
            var secretShown = page.GetByRole(AriaRole.Region, new() { Name = "New API key", Exact = true });
            await ScanStateAsync(pages, "API key created, its secret shown once", scans, secretShown);
            await secretShown.GetByRole(AriaRole.Button, new() { Name = "I have saved it", Exact = true }).ClickAsync();

            // The page read the profile before 2FA was turned on elsewhere; a reload reads it again (and offers new codes).
            await page.ReloadAsync();
            await Expect(page.GetByText("On: signing in asks for a code from your authenticator app.")).ToBeVisibleAsync();
            var regenerate = page.GetByRole(AriaRole.Form, new() { Name = "New recovery codes", Exact = true });
            await Field(regenerate, "Authentication code").FillAsync(await pages.FreshCodeAsync(secret));
            await regenerate.GetByRole(AriaRole.Button, new() { Name = "Replace recovery codes", Exact = true }).ClickAsync();
            var codes = page.GetByRole(AriaRole.List, new() { Name = "Recovery codes", Exact = true }).GetByRole(AriaRole.Listitem);
            await Expect(codes).ToHaveCountAsync(10);
            await ScanStateAsync(pages, "new recovery codes, shown once", scans, codes.First);

            // Signing in again: the second factor's step, then new terms to accept.
            await pages.SignOutAsync();
            await pages.GoInAppAsync("/sign-in");
            var signIn = page.GetByRole(AriaRole.Form, new() { Name = "Sign in", Exact = true });
            await Field(signIn, "Email").FillAsync(secured.Email);
            await Field(signIn, "Password").FillAsync(securedPassword);
            await signIn.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            var second = page.GetByRole(AriaRole.Form, new() { Name = "Two-factor authentication", Exact = true });
            await ScanStateAsync(pages, "sign-in: the second factor", scans, second);

            // The platform's terms do not change during a run (Coinage:Identity:TermsVersion is read at start), so the
            // API's real answer to the second factor is given the consent_required it carries after a raise
            // (docs/privacy.md): the tokens are the API's, and accepting posts the current versions to the real API.
            var legal = await platform.Http.GetFromJsonAsync<JsonElement>("/api/v1/auth/legal", ct);
            await page.RouteAsync("**/api/v1/auth/login/2fa", async route =>
            {
                var response = await route.FetchAsync();
                var body = JsonNode.Parse(await response.TextAsync())!.AsObject();
                if (body["accessToken"] is not null)
                {
                    body["code"] = "consent_required";
                    body["consentRequired"] = new JsonArray(new JsonObject { ["purpose"] = "terms", ["version"] = legal.GetProperty("termsVersion").GetString() });
                }
                await route.FulfillAsync(new() { Response = response, Body = body.ToJsonString() });
            });
            await Field(second, "Authentication code").FillAsync(await pages.FreshCodeAsync(secret));
            await second.GetByRole(AriaRole.Button, new() { Name = "Verify", Exact = true }).ClickAsync();
            var consent = page.GetByRole(AriaRole.Region, new() { Name = "Updated terms", Exact = true });
            await ScanStateAsync(pages, "sign-in: new terms to accept", scans, consent);
            await page.UnrouteAllAsync();
            await consent.GetByRole(AriaRole.Checkbox, new() { NameRegex = new Regex("^I accept the updated") }).CheckAsync();
            await consent.GetByRole(AriaRole.Button, new() { Name = "Accept and continue", Exact = true }).ClickAsync();
            await Expect(H1("Portfolio")(page)).ToBeVisibleAsync();
        });

        // A trader with an order to amend and a withdrawal to confirm from its emailed link. The withdrawal is requested
        // at once: the sign-in is the fresh proof that saving an address needs.
        var (trader, traderPassword) = await platform.TraderAsync("a11y-dialogs", new Dictionary<string, decimal> { ["USD"] = 2_000m, ["BTC"] = 0.01m }, ct);
        var address = await trader.PostAsync("/api/v1/wallet/withdrawal-addresses",
            new { asset = "BTC", label = "Cold wallet", address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq" }, HttpStatusCode.Created, ct);
        await trader.PostAsync("/api/v1/wallet/withdrawals", new { asset = "BTC", amount = "0.001", addressId = address!.Value.GetProperty("id").GetString() },
            HttpStatusCode.Created, ct, idempotencyKey: Guid.NewGuid().ToString("N"));
        var bid = await trader.RestLimitBuyAsync(Market, 64_000m, 0.01m, ct);
        try
        {
            await WithPageAsync(async (page, pages) =>
            {
                await platform.SignInToTradeAsync(page, Market, trader.Email, traderPassword);
                var ticket = page.GetByRole(AriaRole.Region, new() { Name = "Place order", Exact = true })
                    .Or(page.GetByRole(AriaRole.Form, new() { Name = "Place order", Exact = true })).First;
                await Expect(ticket.GetByRole(AriaRole.Button, new() { Name = "Buy", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");
                await ticket.GetByRole(AriaRole.Button, new() { Name = "Limit", Exact = true }).ClickAsync();
                await Field(ticket, "Price").FillAsync("64000");
                await Field(ticket, "Amount").FillAsync("0.01");
                var confirm = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm order", Exact = true });
                await ScanDialogAsync(pages, "order confirmation dialog", scans, confirm,
                    () => ticket.GetByRole(AriaRole.Button, new() { Name = "Buy BTC", Exact = true }).ClickAsync(),
                    () => confirm.GetByRole(AriaRole.Button, new() { Name = "Back", Exact = true }).ClickAsync());

                await page.GetByRole(AriaRole.Tab, new() { Name = "Open orders", Exact = true }).ClickAsync();
                var resting = page.GetByRole(AriaRole.Table, new() { Name = "Open orders", Exact = true }).GetByRole(AriaRole.Row).Filter(new() { HasText = "64,000" });
                var amend = page.GetByRole(AriaRole.Dialog, new() { Name = "Amend order", Exact = true });
                await ScanDialogAsync(pages, "amend dialog", scans, amend,
                    () => resting.GetByRole(AriaRole.Button, new() { Name = "Amend", Exact = true }).ClickAsync(),
                    () => amend.GetByRole(AriaRole.Button, new() { Name = "Back", Exact = true }).ClickAsync());

                // The emailed confirmation link, opened in the signed-in app; then once more, spent; then cut short.
                var link = await platform.Inbox.WithdrawalConfirmationLinkAsync(trader.Email, ct);
                await pages.GoInAppAsync(link.PathAndQuery);
                await ScanStateAsync(pages, "confirm withdrawal: confirmed", scans, page.GetByRole(AriaRole.Status).Filter(new() { HasText = "confirmed" }));
                await pages.GoInAppAsync("/wallet");
                await Expect(H1("Wallet")(page)).ToBeVisibleAsync();
                await pages.GoInAppAsync(link.PathAndQuery);
                await ScanStateAsync(pages, "confirm withdrawal: the link once spent", scans, page.GetByRole(AriaRole.Alert).First);
                await pages.GoInAppAsync("/wallet");
                await Expect(H1("Wallet")(page)).ToBeVisibleAsync();
                await pages.GoInAppAsync("/wallet/withdrawals/confirm");
                await ScanStateAsync(pages, "confirm withdrawal: a link cut short", scans, page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "no confirmation token" }));
            });
        }
        finally
        {
            await (await ApiTrader.SignInAsync(platform.Http, trader.Email, traderPassword, ct)).CancelOrderAsync(bid, ct);
        }

        AssertNoBlocking(scans);
    }

    /// <summary>The page in one state, in light then in dark (the app bar's button switches it in place).</summary>
    private static async Task ScanStateAsync(TraderPages pages, string name, List<AxeScan> scans, ILocator ready)
    {
        foreach (var mode in DocScreenshots.Modes)
        {
            await pages.UseColorModeAsync(mode);
            await Expect(ready).ToBeVisibleAsync();
            await pages.SettledAsync();
            scans.Add(await Axe.ScanAsync(pages.Page, $"{name}, {mode}"));
        }
    }

    /// <summary>
    /// A modal dialog, scanned on its own: opened in light, scanned, closed; the same in dark (the colour-mode button is
    /// behind the modal while it is open).
    /// </summary>
    private static async Task ScanDialogAsync(TraderPages pages, string name, List<AxeScan> scans, ILocator dialog, Func<Task> open, Func<Task> close)
    {
        foreach (var mode in DocScreenshots.Modes)
        {
            await pages.UseColorModeAsync(mode);
            await open();
            await Expect(dialog).ToBeVisibleAsync();
            await pages.SettledAsync();
            scans.Add(await Axe.ScanAsync(pages.Page, $"{name}, {mode}", "[role=dialog]"));
            await close();
            await Expect(dialog).ToBeHiddenAsync();
        }
    }

    /// <summary>A link that did not work: the alert saying so, beside the form that asks for a new one.</summary>
    private static ILocator Spent(IPage page, string form) =>
        page.GetByRole(AriaRole.Form, new() { Name = form, Exact = true }).Locator("xpath=..").GetByRole(AriaRole.Alert).First;

    private static async Task ChooseNewPasswordAsync(ILocator form, string password)
    {
        await Field(form, "New password").FillAsync(password);
        await Field(form, "Repeat the new password").FillAsync(password);
        await form.GetByRole(AriaRole.Button, new() { Name = "Set the new password", Exact = true }).ClickAsync();
    }

    private static ILocator Field(ILocator scope, string label) => scope.GetByLabel(new Regex($@"^{Regex.Escape(label)}[\s*]*$"));

    private static string NewPassword() => $"amber-Lantern-{RandomNumberGenerator.GetHexString(10)}-orbit";

    private async Task WithPageAsync(Func<IPage, TraderPages, Task> act)
    {
        var context = await platform.NewContextAsync(bypassCsp: true);
        var page = await context.NewPageAsync();
        try
        {
            await act(page, new TraderPages(page, platform.Web));
        }
        catch (Exception) when (!page.IsClosed)
        {
            // What the page showed when a step gave up: the message says what was awaited, the picture why it never came.
            var shot = Path.Combine(Directory.CreateDirectory(TraderJourneyTests.ResultsDirectory()).FullName, $"accessibility-failure-{DateTime.UtcNow:HHmmss}.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            TestContext.Current.SendDiagnosticMessage($"The page when the accessibility test failed: {shot}");
            throw;
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static void AssertNoBlocking(List<AxeScan> scans)
    {
        var blocking = scans.Where(s => s.Blocking.Count > 0).ToList();
        var totals = string.Join(", ", Axe.Impacts.Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{i} {scans.Sum(s => s.Violations.Count(v => v.Impact == i))}")));
        TestContext.Current.SendDiagnosticMessage($"axe-core: {scans.Count} scans; rules violated per scan, summed: {totals}");
        Assert.True(blocking.Count == 0, "axe-core found serious or critical violations:\n" +
            string.Concat(blocking.Select(s => $"{s.Summary}\n{s.Describe(s.Blocking)}")));
    }

    /// <summary>
    /// Each page in light, then each in dark, at 1440×900; then each in light at 390×844 (the same sign-in: the window
    /// is resized, the app's layout follows). Opened inside the app, left to load, scanned.
    /// </summary>
    private static async Task ScanAllAsync(TraderPages pages, string who, List<AxeScan> scans, (string Name, string Path, Func<IPage, ILocator> Ready)[] routes)
    {
        foreach (var mode in DocScreenshots.Modes)
        {
            await pages.UseColorModeAsync(mode);
            await ScanRoutesAsync(pages, $"({who}), {mode}", scans, routes);
        }
        // The colour-mode button is in the app bar at both widths; switched first, at the width it was found at.
        await pages.UseColorModeAsync("light");
        await pages.Page.SetViewportSizeAsync(Phone.Width, Phone.Height);
        try
        {
            await ScanRoutesAsync(pages, $"({who}), light, 390×844", scans, routes);
        }
        finally
        {
            await pages.Page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);
        }
    }

    private static async Task ScanRoutesAsync(TraderPages pages, string suffix, List<AxeScan> scans, (string Name, string Path, Func<IPage, ILocator> Ready)[] routes)
    {
        foreach (var (name, path, ready) in routes)
        {
            await pages.GoInAppAsync(path);
            await Expect(ready(pages.Page)).ToBeVisibleAsync();
            await pages.SettledAsync();
            scans.Add(await Axe.ScanAsync(pages.Page, $"{name} {suffix}"));
        }
    }

    /// <summary>The first of these that is shown: the two layouts keep both in the document.</summary>
    private static ILocator Shown(ILocator either) => either.Filter(new() { Visible = true }).First;

    /// <summary>On a phone the trade page's panels are tabs; at 1440×900 the tab list is not shown.</summary>
    private static ILocator TradePanels(IPage page) => page.GetByRole(AriaRole.Tablist, new() { Name = "Trade panels", Exact = true });

    private static Func<IPage, ILocator> H1(string name) =>
        page => page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex($"^{Regex.Escape(name)}$"), Level = 1 });
}
