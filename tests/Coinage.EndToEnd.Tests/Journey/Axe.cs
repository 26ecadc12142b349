using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// axe-core in the page: the one accessibility scan of the browser tests (issue 22, item 8). The engine is the npm
/// package pinned in eng/tools (installed by <c>./coinage prereqs</c> and <c>npm ci --prefix eng/tools</c>), injected
/// with a script tag, which the app's CSP (<c>script-src 'self'</c>) admits only in a context made with
/// <c>BypassCSP</c> (<see cref="BrowserPlatform.NewContextAsync"/> with <c>bypassCsp: true</c>). Serious and critical
/// violations fail; every scan's counts by impact are appended to <c>axe-scans.txt</c> in the test results, which is
/// where docs/frontend.md takes its figures from.
/// </summary>
internal static class Axe
{
    public static readonly string[] Impacts = ["critical", "serious", "moderate", "minor"];

    private static readonly SemaphoreSlim ReportLock = new(1, 1);

    private static string Script => Path.GetFullPath(Path.Combine(Projects.Coinage_AppHost.ProjectPath, "..", "eng", "tools", "node_modules", "axe-core", "axe.min.js"));

    /// <summary>
    /// Scans the page (or the first of <paramref name="within"/>'s CSS selectors that matches) once its transitions have
    /// ended, and fails on any serious or critical violation, naming the rule and the first elements.
    /// </summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string where, params string[] within)
    {
        var scan = await ScanAsync(page, where, within);
        Assert.True(scan.Blocking.Count == 0, $"axe-core found serious or critical violations on {where}:\n{scan.Describe(scan.Blocking)}");
    }

    /// <summary>Runs axe-core on the document (or the first match of <paramref name="within"/>) and records the result; the caller decides what fails.</summary>
    public static async Task<AxeScan> ScanAsync(IPage page, string where, params string[] within)
    {
        // A navigation inside the app keeps the engine; a page load does not.
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            Assert.True(File.Exists(Script), $"{Script} is missing: npm ci --prefix eng/tools (./coinage prereqs does it).");
            await page.AddScriptTagAsync(new() { Path = Script });
        }
        // Colours as the trader reads them: after the CSS transitions (a theme switch fades every surface, a field just
        // enabled fades its label from the disabled grey) have ended. Not the endless ones (a spinner's never finish);
        // one replaced by another is cancelled, so wait for the next.
        await page.EvaluateAsync(
            """
            async () => {
              for (let round = 0; round < 20; round++) {
                const running = document.getAnimations().filter(a => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity);
                if (running.length === 0) return;
                await Promise.all(running.map(a => a.finished.catch(() => undefined)));
              }
            }
            """);
        var result = await page.EvaluateAsync<JsonElement>(
            """
            async (within) => (await axe.run(within.map(s => document.querySelector(s)).find(e => e) ?? document, { resultTypes: ['violations'] })).violations.map(v => ({
              id: v.id,
              impact: v.impact ?? 'minor',
              help: v.help,
              nodes: v.nodes.length,
              targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '),
              // The first element's reason and markup: a contrast's colours and ratio, the name that did not match.
              detail: `${v.nodes[0]?.failureSummary ?? ''} ${v.nodes[0]?.html ?? ''}`.replace(/\s+/g, ' ').slice(0, 400),
            }))
            """, within);
        var violations = result.EnumerateArray().Select(v => new AxeViolation(
            v.GetProperty("id").GetString()!,
            v.GetProperty("impact").GetString()!,
            v.GetProperty("help").GetString()!,
            v.GetProperty("nodes").GetInt32(),
            v.GetProperty("targets").GetString()!,
            v.GetProperty("detail").GetString()!)).ToList();
        var scan = new AxeScan(where, violations);
        await RecordAsync(scan);
        return scan;
    }

    private static async Task RecordAsync(AxeScan scan)
    {
        var line = scan.Summary;
        TestContext.Current.SendDiagnosticMessage(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (scan.Violations.Count > 0)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(scan.Describe(scan.Violations));
        }
        await ReportLock.WaitAsync();
        try
        {
            var report = new StringBuilder(line).Append('\n');
            if (scan.Violations.Count > 0)
            {
                report.Append(scan.Describe(scan.Violations));
            }
            // The first test of a run that writes here may be this one (a class run on its own).
            var results = Directory.CreateDirectory(TraderJourneyTests.ResultsDirectory()).FullName;
            await File.AppendAllTextAsync(Path.Combine(results, "axe-scans.txt"), report.ToString());
        }
        finally
        {
            ReportLock.Release();
        }
    }
}

internal sealed record AxeViolation(string Rule, string Impact, string Help, int Nodes, string Targets, string Detail);

/// <summary>One scan of one page in one state: the rules it broke, with the number of elements each.</summary>
internal sealed record AxeScan(string Where, IReadOnlyList<AxeViolation> Violations)
{
    public IReadOnlyList<AxeViolation> Blocking => Violations.Where(v => v.Impact is "serious" or "critical").ToList();

    /// <summary>"home (visitor), light: 2 rules, 5 elements (serious 1/3, moderate 1/2)": rules/elements per impact.</summary>
    public string Summary
    {
        get
        {
            var byImpact = Axe.Impacts
                .Select(i => (Impact: i, Rules: Violations.Count(v => v.Impact == i), Nodes: Violations.Where(v => v.Impact == i).Sum(v => v.Nodes)))
                .Where(c => c.Rules > 0)
                .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Impact} {c.Rules}/{c.Nodes}"));
            return string.Create(CultureInfo.InvariantCulture,
                $"axe-core on {Where}: {Violations.Count} rules, {Violations.Sum(v => v.Nodes)} elements{(Violations.Count > 0 ? $" ({string.Join(", ", byImpact)})" : "")}");
        }
    }

    public string Describe(IEnumerable<AxeViolation> violations) =>
        string.Concat(violations.Select(v => string.Create(CultureInfo.InvariantCulture, $"  {v.Impact} {v.Rule} ×{v.Nodes}: {v.Help} ({v.Targets})\n    {v.Detail}\n")));
}
