using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace Coinage.Worker.Hangfire;

/// <summary>
/// Hangfire's log provider is process-wide (static) while logger factories belong to a host.
/// When several hosts share a process (the tests) and the one that last configured Hangfire is
/// gone, creating a logger from its disposed factory would throw inside Hangfire's static
/// initialisers and break Hangfire for the rest of the process; this provider answers with a
/// silent logger instead. With one host per process (production) it is plain pass-through.
/// </summary>
internal sealed class HostLogProvider(ILoggerFactory loggerFactory) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(loggerFactory);

    public ILog GetLogger(string name)
    {
        try
        {
            return _inner.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return SilentLog.Instance;
        }
    }

    private sealed class SilentLog : ILog
    {
        public static readonly SilentLog Instance = new();

        public bool Log(global::Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
