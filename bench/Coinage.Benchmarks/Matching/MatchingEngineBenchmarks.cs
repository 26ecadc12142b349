using BenchmarkDotNet.Attributes;
using Coinage.Domain.Matching;

namespace Coinage.Benchmarks.Matching;

/// <summary>
/// The engine alone (no persistence) on <see cref="EngineWorkload"/>: one benchmark invocation
/// replays one million commands on a book reset to the same starting state, so "Mean" is the time
/// per command and operations/s = 1 s / Mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class MatchingEngineBenchmarks
{
    private const int Commands = 1_000_000;

    private EngineWorkload _workload = null!;
    private MatchingEngine _engine = null!;
    private MatchEventBuffer _events = null!;

    /// <summary>Share of the commands that are stop and take-profit orders: 0 is the historical mix.</summary>
    [Params(0, 10)]
    public int StopPercent { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _workload = EngineWorkload.Create(Commands, stopPercent: StopPercent);
        _engine = EngineWorkload.NewEngine();
        _events = new MatchEventBuffer(1_024);
        Console.WriteLine($"// Workload: {_workload.Mix}");
    }

    // A macrobenchmark (≈0.2 s per invocation), so per-invocation setup is fine here.
    [IterationSetup]
    public void ResetBook() => _workload.Reset(_engine, _events);

    [Benchmark(OperationsPerInvoke = Commands, Description = "mixed place/cancel/match")]
    public long MixedWorkload() => _workload.Run(_engine, _events);
}
