using System.Globalization;

namespace Coinage.Worker.Tests.Metrics;

/// <summary>Reads the Prometheus text exposition of a service's <c>/metrics</c>.</summary>
public static class MetricsText
{
    /// <summary>The sum of the samples of <paramref name="name"/> (exact series name) whose labels contain <paramref name="labelFilter"/>; null when there is none.</summary>
    public static double? Value(string text, string name, string? labelFilter = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }
            var rest = line[name.Length..];
            if (rest.Length == 0 || (rest[0] != ' ' && rest[0] != '{'))
            {
                continue; // another series with this name as its prefix
            }
            if (labelFilter is not null && !rest.Contains(labelFilter, StringComparison.Ordinal))
            {
                continue;
            }
            var parts = rest[(rest.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ');
            sum = (sum ?? 0) + double.Parse(parts[0], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    public static bool Has(string text, string name) => Value(text, name) is not null;

    /// <summary>Scrapes until <paramref name="ready"/> holds (the exporter caches a scrape briefly; gauges refresh on their own timers).</summary>
    public static async Task<string> EventuallyAsync(HttpClient client, Func<string, bool> ready, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(ready);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
            if (ready(text) || DateTime.UtcNow > deadline)
            {
                return text;
            }
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
