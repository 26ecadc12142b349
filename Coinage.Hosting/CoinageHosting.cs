using System.Runtime.CompilerServices;
using Coinage.Hosting.Run;
using Microsoft.Extensions.Configuration;

namespace Coinage.Hosting;

/// <summary>
/// What the Coinage extensions share for one AppHost: where local state lives, whether the backing services run as
/// containers or as local processes, the generated secrets, and the pinned ports of the README's settings.
/// </summary>
public sealed class CoinageHosting
{
    private static readonly ConditionalWeakTable<IDistributedApplicationBuilder, CoinageHosting> Instances = [];

    private readonly IDistributedApplicationBuilder _builder;

    private CoinageHosting(IDistributedApplicationBuilder builder)
    {
        _builder = builder;
        SolutionDirectory = FindSolutionDirectory(builder.AppHostDirectory);
        Ephemeral = builder.Configuration.GetValue<bool>("Coinage:Ephemeral");
        DataDirectory = Path.GetFullPath(builder.Configuration["Coinage:DataDirectory"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(SolutionDirectory, ".coinage"));
        Mode = ResourceModeDetector.Resolve(builder);
        Secrets = new SecretStore(builder.ExecutionContext.IsRunMode && !Ephemeral ? Path.Combine(DataDirectory, "secrets.json") : null);
    }

    /// <summary>The settings of <paramref name="builder"/>, read once.</summary>
    public static CoinageHosting For(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return Instances.GetValue(builder, b => new CoinageHosting(b));
    }

    /// <summary>The repository root (where <c>Coinage.sln</c>, <c>eng/</c> and <c>deploy/</c> are).</summary>
    public string SolutionDirectory { get; }

    /// <summary><c>Coinage:DataDirectory</c>, or <c>.coinage/</c> in the repository: databases, secrets, Prometheus' data.</summary>
    public string DataDirectory { get; }

    /// <summary>
    /// <c>Coinage:Ephemeral=true</c> (tests, with a temporary data directory): PostgreSQL trades durability for speed,
    /// Redis keeps nothing, secrets live in memory only.
    /// </summary>
    public bool Ephemeral { get; }

    public ResourceMode Mode { get; }

    /// <summary>The environment the services run in: <c>DOTNET_ENVIRONMENT</c> of the AppHost, else Development.</summary>
    public string ServiceEnvironment => _builder.Configuration["DOTNET_ENVIRONMENT"] is { Length: > 0 } environment ? environment : "Development";

    public bool UseContainers => Mode.UsesContainers;

    internal SecretStore Secrets { get; }

    /// <summary>
    /// The port pinned for an endpoint: <c>Coinage:Ports:{resource}</c> for a resource's first endpoint,
    /// <c>Coinage:Ports:{resource}-{endpoint}</c> for the others; none with <c>Coinage:FreePorts=true</c> or in tests.
    /// </summary>
    public int? PinnedPort(string resource, string? endpoint = null)
    {
        if (Ephemeral || _builder.Configuration.GetValue<bool>("Coinage:FreePorts"))
        {
            return null;
        }
        var key = endpoint is null ? $"Coinage:Ports:{resource}" : $"Coinage:Ports:{resource}-{endpoint}";
        return _builder.Configuration[key] is { Length: > 0 } value
            ? int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                ? port
                : throw new ArgumentException($"{key} must be a port number between 1 and 65535, not '{value}'.")
            : null;
    }

    /// <summary>
    /// A port for an endpoint that DCP does not proxy (PostgreSQL, Redis: every query of the hot paths would take
    /// one more hop): the pinned one, or one the kernel hands out now.
    /// </summary>
    public int PortFor(string resource, string? endpoint = null) => PinnedPort(resource, endpoint) ?? FreePorts.Next();

    /// <summary>A folder for a resource's state under the data directory, created on first use.</summary>
    public string ResourceDirectory(string name)
    {
        EnsureDataDirectory();
        var directory = Path.Combine(DataDirectory, name);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Creates the data directory, traversable by the postgres user (its cluster lives below).</summary>
    public void EnsureDataDirectory()
    {
        if (!Directory.Exists(DataDirectory))
        {
            Directory.CreateDirectory(DataDirectory);
            FileModes.Traversable(DataDirectory);
        }
    }

    /// <summary>A path relative to the repository root.</summary>
    public string ResolvePath(string relative) => Path.GetFullPath(relative, SolutionDirectory);

    /// <summary>A parameter that is generated once and kept in <c>secrets.json</c> of the data directory unless configured.</summary>
    public IResourceBuilder<ParameterResource> AddSecret(string name) =>
        _builder.AddParameter(name, new StoredSecretDefault(Secrets, name), secret: true);

    private static string FindSolutionDirectory(string start)
    {
        foreach (var origin in new[] { start, AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(origin); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Coinage.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        return Path.GetFullPath(Path.Combine(start, ".."));
    }
}
