using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Coinage.EndToEnd.Tests.Journey.TraderPages;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// Issue 22, item 8: axe-core on every page of the web app, in both colour modes, as a visitor, a trader and an
/// administrator, with no serious or critical violation. Pages are opened inside the app (no reloads: the session and
/// the injected engine stay) and scanned once what they load has arrived. Every page is scanned before the test
/// fails, so one run reports all of them; the counts go to axe-scans.txt in the test results (docs/frontend.md,
/// Accessibility).
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class AccessibilityTests(BrowserPlatform platform)
{
    private const string Market = "BTC-USD";

    [Fact(Timeout = 30 * 60 * 1000)]
    public async Task Every_page_has_no_serious_or_critical_axe_violation_in_either_colour_mode()
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
                ("trade", $"/trade/{Market}", p => p.GetByRole(AriaRole.Link, new() { Name = "Sign in to trade", Exact = true })),
                ("sign in", "/sign-in", H1("Sign in")),
                ("sign up", "/sign-up", H1("Create your account")),
                ("forgot password", "/forgot-password", H1("Reset your password")),
                ("status", "/status", H1("Platform status")),
                ("not found", "/no-such-page", p => p.GetByRole(AriaRole.Heading, new() { Level = 1 })),
            ]);
        });

        // A trader with a balance and a resting order: the lists have rows to scan.
        var (seller, _) = await platform.TraderAsync("a11y-seller", new Dictionary<string, decimal> { ["BTC"] = 0.1m }, ct);
        await seller.RestLimitSellAsync(Market, 65_250m, 0.02m, ct);
        var (trader, password) = await platform.TraderAsync("a11y-trader", new Dictionary<string, decimal> { ["USD"] = 3_000m }, ct);
        await trader.RestLimitBuyAsync(Market, 64_050m, 0.01m, ct);
        await WithPageAsync(async (page, pages) =>
        {
            await page.GotoAsync(new Uri(platform.Web, "/sign-in").ToString());
            await pages.SignInAsync(trader.Email, password);
            await ScanAllAsync(pages, "trader", scans,
            [
                ("home (portfolio)", "/", H1("Portfolio")),
                ("markets", "/markets", H1("Markets")),
                ("trade", $"/trade/{Market}", p => p.GetByRole(AriaRole.Region, new() { Name = "Place order", Exact = true })),
                ("history", "/history", H1("History")),
                ("wallet", "/wallet", H1("Wallet")),
                ("account: profile", "/account", p => p.GetByRole(AriaRole.Tab, new() { Name = "Profile", Selected = true })),
                ("account: security", "/account/security", p => p.GetByRole(AriaRole.Tab, new() { Name = "Security", Selected = true })),
                ("account: sessions", "/account/sessions", p => p.GetByRole(AriaRole.Tab, new() { Name = "Sessions", Selected = true })),
                ("account: privacy", "/account/privacy", p => p.GetByRole(AriaRole.Tab, new() { Name = "Privacy", Selected = true })),
                ("status", "/status", H1("Platform status")),
            ]);
        });

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

        var blocking = scans.Where(s => s.Blocking.Count > 0).ToList();
        var totals = string.Join(", ", Axe.Impacts.Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{i} {scans.Sum(s => s.Violations.Count(v => v.Impact == i))}")));
        TestContext.Current.SendDiagnosticMessage($"axe-core: {scans.Count} scans; rules violated per scan, summed: {totals}");
        Assert.True(blocking.Count == 0, "axe-core found serious or critical violations:\n" +
            string.Concat(blocking.Select(s => $"{s.Summary}\n{s.Describe(s.Blocking)}")));
    }

    private async Task WithPageAsync(Func<IPage, TraderPages, Task> act)
    {
        var context = await platform.NewContextAsync(bypassCsp: true);
        try
        {
            var page = await context.NewPageAsync();
            await act(page, new TraderPages(page, platform.Web));
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Each page in light, then each in dark: opened inside the app, left to load, scanned.</summary>
    private static async Task ScanAllAsync(TraderPages pages, string who, List<AxeScan> scans, (string Name, string Path, Func<IPage, ILocator> Ready)[] routes)
    {
        foreach (var mode in DocScreenshots.Modes)
        {
            await pages.UseColorModeAsync(mode);
            foreach (var (name, path, ready) in routes)
            {
                await pages.GoInAppAsync(path);
                await Expect(ready(pages.Page)).ToBeVisibleAsync();
                await pages.SettledAsync();
                scans.Add(await Axe.ScanAsync(pages.Page, $"{name} ({who}), {mode}"));
            }
        }
    }

    private static Func<IPage, ILocator> H1(string name) =>
        page => page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex($"^{Regex.Escape(name)}$"), Level = 1 });
}
