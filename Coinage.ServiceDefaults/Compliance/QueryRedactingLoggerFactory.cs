using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coinage.ServiceDefaults.Compliance;

/// <summary>
/// Log lines carry URLs that no Coinage code wrote: ASP.NET Core's "Request starting GET …?…", YARP's
/// "Proxying to …". A query string is where a browser's SignalR access token travels (WebSockets cannot carry a
/// header) and where an emailed one-time link puts its token, so every URL-shaped value of a line loses its
/// query values, in its properties and in its message, before any provider (console, OTLP) sees it, as spans do
/// (<see cref="PersonalDataActivityProcessor"/>). Lines from <c>[LoggerMessage]</c> methods with classified
/// parameters pass untouched: the redaction pipeline already decides their values.
/// </summary>
internal sealed class QueryRedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new QueryRedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    /// <summary>Wraps the <see cref="ILoggerFactory"/> registered so far (the redacting one of Microsoft.Extensions.Telemetry).</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("No ILoggerFactory is registered to redact.");
        services.Remove(registered);
        services.AddSingleton<ILoggerFactory>(provider => new QueryRedactingLoggerFactory(
            registered.ImplementationInstance as ILoggerFactory
            ?? registered.ImplementationFactory?.Invoke(provider) as ILoggerFactory
            ?? (ILoggerFactory)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!)));
    }
}

internal sealed class QueryRedactingLogger(ILogger inner) : ILogger
{
    private const string OriginalFormat = "{OriginalFormat}";

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (state is LoggerMessageState || state is not IReadOnlyList<KeyValuePair<string, object?>> properties || !inner.IsEnabled(logLevel))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }
        List<KeyValuePair<string, object?>>? redacted = null;
        var message = (string?)null;
        for (var i = 0; i < properties.Count; i++)
        {
            var (key, value) = properties[i];
            if (key != OriginalFormat && UrlText(value) is { } url && PersonalDataActivityProcessor.RedactQuery(url) is var clean && clean != url)
            {
                redacted ??= [.. properties];
                redacted[i] = new(key, clean);
                message = (message ?? formatter(state, exception)).Replace(url, clean, StringComparison.Ordinal);
            }
        }
        if (redacted is null)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }
        inner.Log(logLevel, eventId, new RedactedState(redacted, message!), exception, static (s, _) => s.Message);
    }

    /// <summary>A value that is a URL or a query string with at least one value: <c>?a=1</c>, <c>/p?a=1</c>, <c>http://h/p?a=1</c>.</summary>
    internal static string? UrlText(object? value)
    {
        var text = value switch
        {
            string s => s,
            Uri uri => uri.OriginalString,
            Microsoft.AspNetCore.Http.QueryString query => query.Value,
            _ => null,
        };
        if (string.IsNullOrEmpty(text) || text.Any(char.IsWhiteSpace))
        {
            return null;
        }
        var question = text.IndexOf('?', StringComparison.Ordinal);
        if (question < 0 || text.IndexOf('=', question) < 0)
        {
            return null;
        }
        return question == 0 || text[0] == '/' || Uri.TryCreate(text, UriKind.Absolute, out _) ? text : null;
    }

    private sealed class RedactedState(List<KeyValuePair<string, object?>> properties, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public KeyValuePair<string, object?> this[int index] => properties[index];

        public int Count => properties.Count;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => properties.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}
