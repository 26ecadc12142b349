namespace Coinage.Worker.Tests.Metrics;

/// <summary>
/// Tests that read a host's <c>/metrics</c> run alone: every host in the test process listens to every
/// <c>Coinage.*</c> meter of the process, so another test's Worker would add its own samples.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
