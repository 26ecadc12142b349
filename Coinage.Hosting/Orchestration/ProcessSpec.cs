namespace Coinage.Hosting.Orchestration;

/// <summary>How to start one process of a resource.</summary>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set on top of the AppHost's own environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Run as this (non-root) user, e.g. PostgreSQL when the AppHost runs as root.</summary>
    public string? User { get; init; }

    /// <summary>Signal for a graceful stop: SIGTERM for most, SIGINT ("fast shutdown") for PostgreSQL.</summary>
    public int StopSignal { get; init; } = Signals.SIGTERM;

    public override string ToString() => $"{FileName} {string.Join(' ', Arguments)}";
}

public static class Signals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
}
