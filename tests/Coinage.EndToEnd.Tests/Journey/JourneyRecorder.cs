using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Xunit.Sdk;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// Runs the journey as named steps. A step that breaks fails the test with the step's name, the page
/// it was on, a screenshot, the browser's errors and the API calls that were refused, so the
/// report says where the journey broke and not only which assertion did. Screenshots and the
/// Playwright trace of a failed run go to <see cref="Directory"/>.
/// </summary>
internal sealed class JourneyRecorder
{
    private const int RecentEntries = 8;
    private const string DescribedKey = "Coinage.Journey.Described";

    private readonly IPage _page;
    private readonly Func<string> _platformOutput;
    private readonly ConcurrentQueue<string> _browserErrors = new();
    private readonly ConcurrentQueue<string> _refusedCalls = new();
    private int _steps;

    public JourneyRecorder(IPage page, string directory, Func<string> platformOutput)
    {
        _page = page;
        _platformOutput = platformOutput;
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Enqueue(_browserErrors, message.Text);
            }
        };
        page.PageError += (_, error) => Enqueue(_browserErrors, error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && new Uri(response.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
            {
                Enqueue(_refusedCalls, $"{response.Request.Method} {new Uri(response.Url).PathAndQuery} → {response.Status}");
            }
        };
    }

    /// <summary>Where the screenshots (and, after a failure, the trace) are written.</summary>
    public string Directory { get; }

    /// <summary>Starts a Playwright trace (screenshots and DOM snapshots of every action), kept only when a step fails.</summary>
    public static Task StartTracingAsync(IBrowserContext context) =>
        context.Tracing.StartAsync(new TracingStartOptions { Screenshots = true, Snapshots = true, Title = "Trader journey" });

    public async Task StepAsync(string name, Func<Task> action)
    {
        var number = Interlocked.Increment(ref _steps);
        var title = $"step {number} \"{name}\"";
        Log($"→ {title}");
        try
        {
            await action();
        }
        catch (Exception exception) when (!exception.Data.Contains(DescribedKey))
        {
            var failure = new XunitException(await DescribeFailureAsync(title, exception), exception);
            failure.Data[DescribedKey] = true; // an enclosing step passes it on as it is
            throw failure;
        }
    }

    public async Task<T> StepAsync<T>(string name, Func<Task<T>> action)
    {
        T result = default!;
        // A block body: an expression lambda would return Task<T> and call this overload again.
        await StepAsync(name, async () => { result = await action(); });
        return result;
    }

    public async Task ScreenshotAsync(string name)
    {
        var path = Path.Combine(Directory, $"{name}.png");
        // From the top: a full-page shot of a scrolled page draws the sticky app bar mid-page.
        await _page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Log($"  screenshot: {path}");
    }

    public async Task StopTracingAsync(IBrowserContext context, bool keep)
    {
        var path = keep ? Path.Combine(Directory, "trace.zip") : null;
        await context.Tracing.StopAsync(new TracingStopOptions { Path = path });
        if (path is not null)
        {
            Log($"  Playwright trace (open it at https://trace.playwright.dev): {path}");
        }
    }

    private async Task<string> DescribeFailureAsync(string title, Exception exception)
    {
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"The trader's journey broke at {title} on {_page.Url}:\n");
        message.Append(exception.Message.TrimEnd()).Append('\n');
        try
        {
            var path = Path.Combine(Directory, $"failure-step-{_steps:00}.png");
            await _page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = 15_000 });
            message.Append(CultureInfo.InvariantCulture, $"Screenshot of the page: {path}\n");
        }
        catch (PlaywrightException screenshotFailure)
        {
            message.Append(CultureInfo.InvariantCulture, $"(no screenshot: {screenshotFailure.Message})\n");
        }
        AppendList(message, "API calls the platform refused", _refusedCalls);
        AppendList(message, "Browser errors", _browserErrors);
        message.Append("Last lines of the platform's output:\n").Append(_platformOutput());
        Log($"✖ {title} broke: see the failure message");
        return message.ToString();
    }

    private static void AppendList(StringBuilder message, string title, IEnumerable<string> entries)
    {
        var list = entries.ToList();
        if (list.Count > 0)
        {
            message.Append(title).Append(":\n");
            foreach (var entry in list)
            {
                message.Append("  ").Append(entry).Append('\n');
            }
        }
    }

    private static void Enqueue(ConcurrentQueue<string> queue, string entry)
    {
        queue.Enqueue(entry);
        while (queue.Count > RecentEntries && queue.TryDequeue(out _))
        {
        }
    }

    private static void Log(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        TestContext.Current.SendDiagnosticMessage(line);
    }
}
