using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Coinage.Hosting.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary>Publishes a model built in the test through Aspire's publish pipeline, as the AppHost does.</summary>
internal static class ModelPublisher
{
    /// <summary>
    /// Runs the publish step <paramref name="step"/> of the model <paramref name="build"/> describes into
    /// <paramref name="output"/>; returns the model's resources as the step saw them.
    /// </summary>
    public static async Task<IReadOnlyList<IResource>> PublishAsync(string step, string output, Action<IDistributedApplicationBuilder> build)
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--operation", "publish", "--step", step, "--output-path", output],
            DisableDashboard = true,
        });
        var errors = new ErrorLog();
        builder.Services.AddLogging(logging => logging.AddProvider(errors));
        build(builder);
        builder.AddCoinagePublishers();
        await using var app = builder.Build();
        await app.RunAsync(TestContext.Current.CancellationToken);
        // A failed step stops the application; its error is only logged.
        if (!errors.Messages.IsEmpty)
        {
            throw new InvalidOperationException(string.Join("\n", errors.Messages));
        }
        return [.. builder.Resources];
    }

    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Messages.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>
/// Project metadata for model tests that never build or start the project: Aspire only checks that the project
/// file exists, so an empty one in a temporary folder stands for it.
/// </summary>
internal sealed class ServiceProject : IProjectMetadata
{
    private static readonly Lazy<string> Path = new(() =>
    {
        var directory = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"coinage-publish-tests-{Environment.ProcessId}", "Test.Service"));
        var path = System.IO.Path.Combine(directory.FullName, "Test.Service.csproj");
        File.WriteAllText(path, "<Project Sdk=\"Microsoft.NET.Sdk.Web\" />\n");
        return path;
    });

    public string ProjectPath => Path.Value;
}
