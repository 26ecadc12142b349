namespace Coinage.Hosting;

public enum CoinageOperation
{
    /// <summary>Start every resource on this machine and supervise it.</summary>
    Run,

    /// <summary>Write deployment artifacts (Kubernetes, Compose) for the model and exit.</summary>
    Publish,
}

/// <summary>What this invocation of the AppHost was asked to do.</summary>
/// <param name="DataDirectory">
/// Where state lives: <c>.coinage/</c> beside the solution for <c>run</c>, a fresh temporary
/// directory (deleted on dispose) for tests.
/// </param>
public sealed record CoinageExecutionContext(
    CoinageOperation Operation,
    bool IsTesting,
    string DataDirectory,
    string? PublishTarget = null,
    string? OutputPath = null)
{
    public bool IsRunMode => Operation == CoinageOperation.Run;

    public bool IsPublishMode => Operation == CoinageOperation.Publish;

    /// <summary>
    /// Parses <c>run</c> (the default) or <c>publish --target kubernetes|compose --output DIR</c>.
    /// Anything else is left to the configuration system (<c>--Coinage:Ports:webfrontend=5000</c>).
    /// </summary>
    public static (CoinageOperation Operation, string? Target, string? Output, string[] Remaining) ParseArguments(string[] args)
    {
        var rest = new List<string>();
        var operation = CoinageOperation.Run;
        string? target = null, output = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "run" when i == 0:
                    break;
                case "publish" when i == 0:
                    operation = CoinageOperation.Publish;
                    break;
                case "--target" or "-t" when operation == CoinageOperation.Publish:
                    target = i + 1 < args.Length ? args[++i] : throw new ArgumentException("--target needs a value: kubernetes or compose.");
                    break;
                case "--output" or "-o" when operation == CoinageOperation.Publish:
                    output = i + 1 < args.Length ? args[++i] : throw new ArgumentException("--output needs a directory.");
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }
        if (operation == CoinageOperation.Publish && (target is null || output is null))
        {
            throw new ArgumentException("Usage: publish --target kubernetes|compose --output DIR");
        }
        return (operation, target, output, rest.ToArray());
    }
}
