using System.Reflection;

namespace Coinage.Hosting.Testing;

/// <summary>
/// Our <c>Aspire.Hosting.Testing</c>: builds the AppHost's model (or an empty one) in testing
/// mode, where every port is free-allocated, every data directory is temporary and deleted on
/// dispose, and nothing is printed, so tests run beside a developer's own `run`.
/// </summary>
/// <example>
/// <code>
/// var builder = await CoinageTestingBuilder.CreateAsync&lt;Projects.Coinage_AppHost&gt;();
/// await using var app = await builder.BuildAsync();
/// await app.StartAsync(["coinagedb", "redis"]);
/// var connectionString = app.GetConnectionString("coinagedb");
/// </code>
/// </example>
public static class CoinageTestingBuilder
{
    /// <summary>Runs the AppHost's entry point up to <c>Build()</c> and returns its builder for the test to adjust and build.</summary>
    public static Task<CoinageApplicationBuilder> CreateAsync<TAppHost>(params string[] args) where TAppHost : IProjectMetadata, new()
    {
        var assembly = Assembly.LoadFrom(new TAppHost().TargetPath);
        var entryPoint = assembly.EntryPoint ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no entry point.");
        var capture = new TestingCapture(assembly);
        TestingCapture.Current = capture;
        try
        {
            entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? null : [args]);
        }
        finally
        {
            TestingCapture.Current = null;
        }
        return Task.FromResult(capture.Builder ?? throw new InvalidOperationException($"{assembly.GetName().Name} never called Build() on its CoinageApplicationBuilder."));
    }

    /// <summary>An empty model in testing mode, for tests that need only a few resources.</summary>
    public static CoinageApplicationBuilder Create(params string[] args) => new(args, isTesting: true, Assembly.GetCallingAssembly());
}

/// <summary>Set while an AppHost's entry point runs under <see cref="CoinageTestingBuilder"/>.</summary>
internal sealed class TestingCapture(Assembly appHostAssembly)
{
    private static readonly AsyncLocal<TestingCapture?> CurrentCapture = new();

    public static TestingCapture? Current
    {
        get => CurrentCapture.Value;
        set => CurrentCapture.Value = value;
    }

    public CoinageApplicationBuilder? Builder { get; private set; }

    public CoinageApplicationBuilder CreateBuilder(string[] args) => new(args, isTesting: true, appHostAssembly);

    public bool TryCapture(CoinageApplicationBuilder builder)
    {
        Builder ??= builder;
        return ReferenceEquals(Builder, builder);
    }
}
