using BenchmarkDotNet.Running;
using Coinage.Benchmarks.Matching;

// `engine-quick` (or `--quick`): a Stopwatch figure for the matching engine in seconds.
// Anything else goes to BenchmarkDotNet, e.g. `-- --filter '*MatchingEngine*'`.
if (args.Length > 0 && args[0] is "engine-quick" or "--quick")
{
    return QuickEngineBenchmark.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
