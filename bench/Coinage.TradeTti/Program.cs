using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

// The trade page's time to interactive (issue 22, item 8; docs/frontend.md, "Time to interactive of the trade page"):
// loads /trade/{market} of a running platform in Debian's Chromium, signed in, cold (a new browser context: empty HTTP
// cache) and warm (the same context again) N times each, and prints the medians of four moments after the navigation
// starts, as the page itself records them (performance.now(), so the driver's polling adds nothing):
//   fcp     first contentful paint (the Paint Timing API),
//   ticket  the order ticket usable: its fields and its submit button enabled,
//   book    the order book showing at least one level,
//   chart   the chart drawn with data: its canvas and the latest candle's legend.

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = options.Chromium,
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

var loadBefore = LoadAverage();
var started = DateTime.UtcNow;

// One sign-in for the whole run, as the web app signs in (useCookie: the refresh token as an HttpOnly cookie) (the sign-in budget is 10 per account in 15 minutes): each cold context takes the
// refresh cookie the previous one left (a page load rotates it), as a returning trader with an empty cache would.
IReadOnlyList<Cookie> cookies;
await using (var first = await NewContextAsync(browser, options, []))
{
    var login = await first.APIRequest.PostAsync(new Uri(options.Web, "/api/v1/auth/login").ToString(), new() { DataObject = new { email = options.Email, password = options.Password, useCookie = true } });
    if (!login.Ok)
    {
        Console.Error.WriteLine($"Sign-in as {options.Email} refused: {login.Status} {await login.TextAsync()}");
        return 1;
    }
    cookies = Carry(await first.CookiesAsync());
}

var cold = new List<Sample>();
var warm = new List<Sample>();
for (var run = 1; run <= options.Runs; run++)
{
    await using var context = await NewContextAsync(browser, options, cookies);
    var page = await context.NewPageAsync();
    cold.Add(await LoadAsync(page, options, $"cold {run}"));
    warm.Add(await LoadAsync(page, options, $"warm {run}"));
    cookies = Carry(await context.CookiesAsync());
}
var loadAfter = LoadAverage();

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Trade page {options.Market} at {options.Width}×{options.Height}, {options.Runs} cold and {options.Runs} warm loads, {started:yyyy-MM-dd HH:mm} UTC"));
Console.WriteLine($"Load average (1, 5, 15 min): {loadBefore} before, {loadAfter} after; {Environment.ProcessorCount} CPUs");
Console.WriteLine();
Console.WriteLine("| load | first contentful paint | ticket usable | book with levels | chart with data |");
Console.WriteLine("| --- | --- | --- | --- | --- |");
foreach (var (name, samples) in new[] { ("cold", cold), ("warm", warm) })
{
    Console.WriteLine($"| {name} | {Median(samples, s => s.Fcp)} | {Median(samples, s => s.Ticket)} | {Median(samples, s => s.Book)} | {Median(samples, s => s.Chart)} |");
}
Console.WriteLine();
Console.WriteLine("Medians in ms from the start of the navigation (min–max in brackets).");
return 0;

static async Task<IBrowserContext> NewContextAsync(IBrowser browser, Options options, IReadOnlyList<Cookie> cookies)
{
    var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = options.Width, Height = options.Height } });
    context.SetDefaultTimeout(60_000);
    if (cookies.Count > 0)
    {
        await context.AddCookiesAsync(cookies);
    }
    // Runs before the app's scripts in every document: records when each moment first holds, checked on every frame.
    await context.AddInitScriptAsync("""
        (() => {
          const marks = {};
          window.__tti = marks;
          const enabled = (e) => e && !e.disabled;
          const check = () => {
            const ticket = document.querySelector('[aria-label="Place order"]');
            if (marks.ticket === undefined && ticket) {
              const inputs = [...ticket.querySelectorAll('input:not([type=hidden]):not([type=checkbox])')];
              if (inputs.length > 0 && inputs.some(enabled) && enabled(ticket.querySelector('button[type=submit]'))) marks.ticket = performance.now();
            }
            if (marks.book === undefined && document.querySelector('[aria-label="Order book"] [data-book-level]')) marks.book = performance.now();
            const chart = document.querySelector('[aria-label="Price chart"]');
            if (marks.chart === undefined && chart && chart.querySelector('canvas') && chart.querySelector('[aria-label="Latest candle"]')) marks.chart = performance.now();
            if (marks.ticket === undefined || marks.book === undefined || marks.chart === undefined) requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        })();
        """);
    return context;
}

static async Task<Sample> LoadAsync(IPage page, Options options, string name)
{
    var url = new Uri(options.Web, $"/trade/{options.Market}").ToString();
    await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Commit });
    // Only a signed-in page has a ticket with a submit button: a session that was not restored times out here.
    try
    {
        await page.WaitForFunctionAsync("() => window.__tti && ['ticket', 'book', 'chart'].every(k => window.__tti[k] !== undefined)", null, new() { Timeout = 60_000, PollingInterval = 100 });
    }
    catch (TimeoutException)
    {
        var reached = await page.EvaluateAsync<string>("() => JSON.stringify(window.__tti)");
        var signIn = await page.GetByRole(AriaRole.Link, new() { Name = "Sign in to trade", Exact = true }).CountAsync() > 0;
        throw new TimeoutException($"{name}: not interactive within 60 s (reached: {reached}){(signIn ? "; the page says 'Sign in to trade': the session was not restored" : "")}.");
    }
    var marks = await page.EvaluateAsync<JsonElement>("""
        () => ({ ...window.__tti, fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null })
        """);
    var sample = new Sample(Ms(marks, "fcp"), Ms(marks, "ticket"), Ms(marks, "book"), Ms(marks, "chart"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-8} fcp {sample.Fcp,6:0} ms  ticket {sample.Ticket,6:0} ms  book {sample.Book,6:0} ms  chart {sample.Chart,6:0} ms"));
    return sample;
}

static IReadOnlyList<Cookie> Carry(IReadOnlyList<BrowserContextCookiesResult> cookies) =>
    cookies.Select(c => new Cookie
    {
        Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, Expires = c.Expires,
        HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
    }).ToList();

static double Ms(JsonElement marks, string name) =>
    marks.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NaN;

static string Median(List<Sample> samples, Func<Sample, double> of)
{
    var values = samples.Select(of).Where(v => !double.IsNaN(v)).Order().ToList();
    if (values.Count == 0)
    {
        return "—";
    }
    var median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    return string.Create(CultureInfo.InvariantCulture, $"{median:N0} ms ({values[0]:N0}–{values[^1]:N0})");
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

internal sealed record Sample(double Fcp, double Ticket, double Book, double Chart);

internal sealed record Options(Uri Web, string Market, int Runs, string Email, string Password, string Chromium, int Width, int Height)
{
    public const string Usage = """
        Coinage.TradeTti: the trade page's time to interactive in Chromium, against a running platform.

          --web URL          the web front end ("Web front end:" in ./coinage run's summary)     (required)
          --market SYMBOL    the market whose trade page is loaded (default BTC-USD)
          --runs N           cold and warm loads each (default 10)
          --email ADDRESS    the trader signed in (default alice@coinage.local, a Development user)
          --password TEXT    their password (default: trader-password from .coinage/secrets.json)
          --secrets PATH     where that file is (default .coinage/secrets.json)
          --chromium PATH    the browser (default /usr/bin/chromium)
          --size WxH         the window (default 1440x900)
        """;

    public static Options? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return null;
            }
            values[args[i][2..]] = args[i + 1];
        }
        if (!values.TryGetValue("web", out var web) || !Uri.TryCreate(web, UriKind.Absolute, out var webUri))
        {
            return null;
        }
        var password = values.GetValueOrDefault("password");
        if (password is null)
        {
            var secrets = values.GetValueOrDefault("secrets", ".coinage/secrets.json");
            if (!File.Exists(secrets))
            {
                Console.Error.WriteLine($"{secrets} not found: pass --password or --secrets (run from the repository root).");
                return null;
            }
            password = JsonDocument.Parse(File.ReadAllText(secrets)).RootElement.GetProperty("trader-password").GetString();
        }
        var size = values.GetValueOrDefault("size", "1440x900").Split('x');
        return new Options(webUri, values.GetValueOrDefault("market", "BTC-USD"),
            int.Parse(values.GetValueOrDefault("runs", "10"), CultureInfo.InvariantCulture),
            values.GetValueOrDefault("email", "alice@coinage.local"), password!,
            values.GetValueOrDefault("chromium", "/usr/bin/chromium"),
            int.Parse(size[0], CultureInfo.InvariantCulture), int.Parse(size[1], CultureInfo.InvariantCulture));
    }
}
