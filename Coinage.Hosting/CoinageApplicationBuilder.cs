using System.Reflection;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coinage.Hosting;

/// <summary>Collects the resources of the app model, then builds an application that runs or publishes it.</summary>
public sealed class CoinageApplicationBuilder
{
    private readonly HostApplicationBuilder _host;
    private readonly List<IResource> _resources = [];
    private readonly SecretStore _secrets;

    internal CoinageApplicationBuilder(string[] args, bool isTesting, Assembly? appHostAssembly)
    {
        var (operation, target, output, rest) = CoinageExecutionContext.ParseArguments(args);
        _host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = rest,
            ApplicationName = appHostAssembly?.GetName().Name,
            // appsettings.json of the AppHost is read from its project folder, as `dotnet run` does.
            ContentRootPath = AppHostProjectDirectory(appHostAssembly) ?? AppContext.BaseDirectory,
            EnvironmentName = System.Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Development,
            DisableDefaults = isTesting,
        });
        if (isTesting)
        {
            _host.Configuration.AddEnvironmentVariables();
            _host.Configuration.AddCommandLine(rest);
        }

        var dataDirectory = isTesting
            ? CreateTestDataDirectory()
            : Path.GetFullPath(_host.Configuration["Coinage:DataDirectory"] ?? DefaultDataDirectory(appHostAssembly));
        ExecutionContext = new CoinageExecutionContext(operation, isTesting, dataDirectory, target, output);
        SolutionDirectory = FindSolutionDirectory(appHostAssembly);
        _secrets = new SecretStore(ExecutionContext.IsRunMode && !isTesting ? Path.Combine(dataDirectory, "secrets.json") : null);

        _host.Logging.SetMinimumLevel(isTesting ? LogLevel.Warning : LogLevel.Information);
        _host.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        _host.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
    }

    public CoinageExecutionContext ExecutionContext { get; }

    public IConfigurationManager Configuration => _host.Configuration;

    public IHostEnvironment Environment => _host.Environment;

    public IServiceCollection Services => _host.Services;

    public IReadOnlyList<IResource> Resources => _resources;

    /// <summary>The solution folder (parent of the AppHost project), where <c>.coinage/</c> and <c>eng/</c> live.</summary>
    public string? SolutionDirectory { get; }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists in the model.");
        }
        _resources.Add(resource);
        ApplyConfiguredPorts(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    /// <summary>
    /// Pins endpoints to the ports in configuration: <c>Coinage:Ports:{resource}</c> for the first
    /// endpoint, <c>Coinage:Ports:{resource}-{endpoint}</c> for the others.
    /// </summary>
    private void ApplyConfiguredPorts(IResource resource)
    {
        if (ExecutionContext.IsTesting || Configuration.GetValue<bool>("Coinage:FreePorts"))
        {
            return; // tests and side-by-side runs take free ports everywhere
        }
        var endpoints = resource.Endpoints().ToList();
        for (var i = 0; i < endpoints.Count; i++)
        {
            var key = i == 0 ? $"Coinage:Ports:{resource.Name}" : $"Coinage:Ports:{resource.Name}-{endpoints[i].Name}";
            if (Configuration[key] is { Length: > 0 } value)
            {
                endpoints[i].Port = int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
                    ? port
                    : throw new ArgumentException($"{key} must be a port number between 1 and 65535, not '{value}'.");
            }
        }
    }

    /// <summary>Removes a resource and every reference to it (tests that start part of the model).</summary>
    public void RemoveResource(string name)
    {
        var resource = _resources.Single(r => r.Name == name);
        _resources.Remove(resource);
        foreach (var other in _resources)
        {
            var stale = other.Annotations.Where(a => a is WaitAnnotation w && w.Target == resource || a is ReferenceAnnotation r && r.Target == resource).ToList();
            stale.ForEach(a => other.Annotations.Remove(a));
        }
    }

    /// <summary>
    /// A value from <c>Parameters:{name}</c> in configuration. A secret that nobody configured is
    /// generated (and, for a local run, remembered in the data directory).
    /// </summary>
    public IResourceBuilder<ParameterResource> AddParameter(string name, bool secret = false, string? defaultValue = null)
    {
        var parameter = new ParameterResource(name, () =>
            Configuration[$"Parameters:{name}"]
            ?? defaultValue
            ?? (secret ? _secrets.GetOrGenerate(name) : throw new InvalidOperationException(
                $"Parameter '{name}' has no value: set Parameters:{name} in configuration or the environment variable Parameters__{name}.")),
            secret);
        return AddResource(parameter);
    }

    public CoinageApplication Build()
    {
        if (Testing.TestingCapture.Current is { } capture && capture.TryCapture(this))
        {
            return CoinageApplication.Captured;
        }
        return BuildCore();
    }

    public Task<CoinageApplication> BuildAsync() => Task.FromResult(BuildCore());

    private CoinageApplication BuildCore()
    {
        var model = new AppModel(_resources.ToList(), ExecutionContext, SolutionDirectory);
        _host.Services.AddSingleton(model);
        _host.Services.AddSingleton(ExecutionContext);
        _host.Services.AddSingleton<ResourceLogStore>();
        _host.Services.AddSingleton<ResourceStateStore>();
        _host.Services.AddSingleton<Orchestrator>();
        _host.Services.AddSingleton<ProcessLauncher>();
        foreach (var publisher in Publishing.Publishers.Create())
        {
            _host.Services.AddSingleton(publisher);
        }
        if (Dashboard.DashboardOptions.IsEnabled(Configuration, ExecutionContext))
        {
            // Before the orchestrator: projects start with OTEL_EXPORTER_OTLP_ENDPOINT pointing at it.
            Dashboard.DashboardBuilderExtensions.AddDashboardServices(_host.Services, Configuration, ExecutionContext);
        }
        if (ExecutionContext.IsRunMode && !ExecutionContext.IsTesting)
        {
            _host.Services.AddHostedService<OrchestratorHostedService>();
        }
        return new CoinageApplication(_host.Build(), model);
    }

    /// <summary>A fresh temporary folder that the unprivileged PostgreSQL user can traverse.</summary>
    private static string CreateTestDataDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("coinage-test-").FullName;
        FileModes.Traversable(directory);
        return directory;
    }

    private static string DefaultDataDirectory(Assembly? appHostAssembly) =>
        Path.Combine(FindSolutionDirectory(appHostAssembly) ?? System.Environment.CurrentDirectory, ".coinage");

    private static string? AppHostProjectDirectory(Assembly? appHostAssembly) =>
        appHostAssembly?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CoinageAppHostProjectDirectory")?.Value is { } directory && Directory.Exists(directory)
            ? directory
            : null;

    internal static string? FindSolutionDirectory(Assembly? appHostAssembly)
    {
        var projectDirectory = AppHostProjectDirectory(appHostAssembly);
        if (projectDirectory is not null)
        {
            return Path.GetFullPath(Path.Combine(projectDirectory, ".."));
        }
        // A test assembly: walk up from its output folder to the solution.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Coinage.sln")))
            {
                return directory.FullName;
            }
        }
        return null;
    }
}
