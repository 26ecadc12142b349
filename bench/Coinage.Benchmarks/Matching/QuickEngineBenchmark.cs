using System.Diagnostics;
using System.Globalization;

namespace Coinage.Benchmarks.Matching;

/// <summary>
/// `dotnet run -c Release --project bench/Coinage.Benchmarks -- engine-quick [millions of commands] [stops] [band]`
/// (<c>stops</c>: 10 % of the commands are stop and take-profit orders; <c>band</c>: market orders under a 10 % price
/// band, the seeded markets' setting):
/// a plain Stopwatch loop that gives an operations/s figure in seconds, for CI and readers.
/// BenchmarkDotNet (<see cref="MatchingEngineBenchmarks"/>) is the careful measurement.
/// </summary>
internal static class QuickEngineBenchmark
{
    private const int Rounds = 7;

    public static int Run(string[] args)
    {
        var millions = args.Length > 0 && double.TryParse(args[0], CultureInfo.InvariantCulture, out var m) ? m : 2;
        var stopPercent = args.Contains("stops") ? 10 : 0;
        var count = (int)(millions * 1_000_000);
#if DEBUG
        Console.WriteLine("WARNING: Debug build; figures are meaningless. Use -c Release.");
#endif
        RaisePriority();
        Console.WriteLine($"Generating {count:N0} commands…");
        var workload = EngineWorkload.Create(count, stopPercent: stopPercent);
        Console.WriteLine($"Workload: {workload.Mix}");

        var engine = EngineWorkload.NewEngine();
        if (args.Contains("band"))
        {
            engine.PriceBandBps = 1_000;
            Console.WriteLine("Price band: 10 %");
        }
        var events = new Coinage.Domain.Matching.MatchEventBuffer(1_024);
        var rates = new List<double>();
        for (var round = 0; round <= Rounds; round++)
        {
            workload.Reset(engine, events);
            GC.Collect();
            var gcBefore = GC.CollectionCount(0);
            var stopwatch = new Stopwatch();
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            stopwatch.Start();
            var produced = workload.Run(engine, events);
            stopwatch.Stop();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            var rate = count / stopwatch.Elapsed.TotalSeconds;
            var label = round == 0 ? "warm-up" : $"round {round}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label,-8} {rate,14:N0} ops/s  {stopwatch.Elapsed.TotalMilliseconds,8:F1} ms  {produced:N0} events  {allocated:N0} B allocated  {GC.CollectionCount(0) - gcBefore} gen0 GCs"));
            if (round > 0)
            {
                rates.Add(rate);
            }
        }

        rates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median {rates[rates.Count / 2]:N0} ops/s, best {rates[^1]:N0} ops/s ({Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription})"));
        return 0;
    }

    // As BenchmarkDotNet does: on a busy machine this keeps other processes from skewing the figure.
    private static void RaisePriority()
    {
        try
        {
            Process.GetCurrentProcess().PriorityClass = ProcessPriorityClass.High;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.WriteLine("(could not raise the process priority; figures may be noisier)");
        }
    }
}
