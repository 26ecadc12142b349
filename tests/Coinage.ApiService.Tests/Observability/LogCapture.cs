using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Tests.Observability;

/// <summary>
/// A logger provider that writes every entry through the console formatter the host configured
/// (by <see cref="ConsoleLoggerOptions.FormatterName"/>), with the factory's scopes (trace ids):
/// the text the console would print, taken after redaction like every provider's input.
/// </summary>
public sealed class ConsoleOutputCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private ConsoleFormatter? _formatter;

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Text => string.Join('\n', _lines);

    internal void UseFormatter(ConsoleFormatter formatter) => _formatter = formatter;

    public ILogger CreateLogger(string categoryName) => new CaptureLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>Registers the capture in a host: the formatter is the one the console logger would pick.</summary>
    public static void AddTo(IWebHostBuilder builder, ConsoleOutputCapture capture)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(capture));
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new FormatterResolver(capture)));
    }

    private sealed class FormatterResolver(ConsoleOutputCapture capture) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var name = app.ApplicationServices.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName ?? ConsoleFormatterNames.Simple;
            capture.UseFormatter(app.ApplicationServices.GetServices<ConsoleFormatter>().Single(f => f.Name == name));
            next(app);
        };
    }

    private sealed class CaptureLogger(ConsoleOutputCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (owner._formatter is not { } consoleFormatter)
            {
                return;
            }
            using var writer = new StringWriter();
            consoleFormatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), owner._scopes, writer);
            owner._lines.Enqueue(writer.ToString().TrimEnd('\n', '\r'));
        }
    }
}

/// <summary>Makes every request arrive from 127.0.0.1, as it does through the web front end's proxy on this machine.</summary>
public sealed class LoopbackProxyStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}
