using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// One platform and one Chromium for the browser tests of the <see cref="BrowserPlatformCollection"/>
/// (<see cref="OrderTicketTests"/>, <see cref="WalletLiveTests"/>): starting the AppHost costs minutes on a shared
/// machine, so the tests share it and each brings traders of its own. The market maker is off, so the only
/// liquidity is what a test's counterparty rests, and a new withdrawal address has no hold.
/// </summary>
public sealed class BrowserPlatform : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    // The first run on a busy machine initialises PostgreSQL and applies every migration.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);

    private AppHostProcess? _apphost;
    private IPlaywright? _playwright;
    private ExceptionDispatchInfo? _startFailure;

    public bool HasChromium => File.Exists(ChromiumPath);

    /// <summary>The bootstrap administrator (<c>Coinage:Admin:*</c>, set by the AppHost).</summary>
    public const string AdminEmail = "admin@coinage.local";

    /// <summary>The bootstrap administrator's first password, which the app makes them replace.</summary>
    public string AdminPassword { get; } = $"bootstrap-Admin-{RandomNumberGenerator.GetHexString(16)}";

    internal AppHostProcess AppHost => _apphost ?? throw new InvalidOperationException("The platform is not running.");

    public Uri Web => AppHost.Links["Web front end"];

    public HttpClient Http { get; private set; } = null!;

    internal MailDevInbox Inbox { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!HasChromium)
        {
            return;
        }
        // No hold on new withdrawal addresses: the tests save one and withdraw to it at once (the hold has tests of its own).
        // The bootstrap administrator's password is the tests' (AccessibilityTests signs in as the admin); it must
        // still be replaced at the first sign-in, as a generated one.
        _apphost = AppHostProcess.Start(arguments: ["--Coinage:MarketMaker:Enabled=false", "--Coinage:Withdrawals:NewAddressHold=00:00:00",
            "--Coinage:RateLimits:RegistrationsPerIp=200", $"--Parameters:admin-password={AdminPassword}"]);
        try
        {
            await _apphost.WaitUntilRunningAsync(StartTimeout);
            Http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Web };
            Inbox = new MailDevInbox(Http, AppHost.Links["Inbox"]);
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
        }
        catch (Exception exception)
        {
            // Reported by the first test that needs the platform, with the AppHost's output, rather than as a bare fixture failure.
            _startFailure = ExceptionDispatchInfo.Capture(exception);
        }
    }

    /// <summary>Throws what went wrong at start, if anything.</summary>
    public void EnsureRunning() => _startFailure?.Throw();

    /// <summary>
    /// A fresh browser context (no cookies, no session) with the generous timeouts a shared 2-core machine needs.
    /// <paramref name="bypassCsp"/> lets a test inject a script of its own (axe-core): the CSP admits none inline.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(bool bypassCsp = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, BypassCSP = bypassCsp });
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(60_000);
        Assertions.SetDefaultExpectTimeout(30_000);
        return context;
    }

    /// <summary>A verified trader made through the API (and maildev), with the given deposits.</summary>
    internal async Task<(ApiTrader Trader, string Password)> TraderAsync(string prefix, IReadOnlyDictionary<string, decimal> deposits, CancellationToken cancellationToken)
    {
        var password = $"amber-Lantern-{RandomNumberGenerator.GetHexString(10)}-orbit";
        var trader = await ApiTrader.SignUpVerifiedAsync(Http, Inbox, $"{prefix}-{Guid.NewGuid():N}@example.test", password, cancellationToken);
        foreach (var (asset, amount) in deposits)
        {
            await trader.DepositAsync(asset, amount, cancellationToken);
        }
        return (trader, password);
    }

    /// <summary>Opens the market's trade page and signs in from its "Sign in to trade" link, which brings the trader back to it.</summary>
    public async Task SignInToTradeAsync(IPage page, string market, string email, string password)
    {
        await page.GotoAsync(new Uri(Web, $"/trade/{market}").ToString());
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in to trade", Exact = true }).ClickAsync();
        var form = page.GetByRole(AriaRole.Form, new() { Name = "Sign in", Exact = true });
        await form.GetByLabel(new Regex(@"^Email[\s*]*$")).FillAsync(email);
        await form.GetByLabel(new Regex(@"^Password[\s*]*$")).FillAsync(password);
        await form.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/trade/{Regex.Escape(market)}$"));
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        Http?.Dispose();
        if (_apphost is null)
        {
            return;
        }
        // SIGTERM, as Ctrl+C would; the AppHost stops what it started.
        if (!_apphost.Process.HasExited)
        {
            _apphost.Signal("TERM");
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await _apphost.Process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await _apphost.DisposeAsync();
    }
}

/// <summary>The browser tests that share one <see cref="BrowserPlatform"/> (they run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserPlatformCollection : ICollectionFixture<BrowserPlatform>
{
    public const string Name = "browser platform";
}
