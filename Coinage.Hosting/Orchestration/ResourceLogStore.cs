using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Coinage.Hosting.Orchestration;

/// <summary>One line a resource printed.</summary>
public sealed record LogLine(long Sequence, DateTimeOffset Timestamp, string Resource, string Text, bool IsError);

/// <summary>
/// The console output of every resource, kept in a bounded ring per resource (oldest lines are
/// dropped first, so a flooding resource cannot exhaust memory), with live subscriptions.
/// </summary>
public sealed class ResourceLogStore(int capacityPerResource = ResourceLogStore.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<string, Ring> _rings = new();
    private readonly ConcurrentDictionary<Channel<LogLine>, string?> _subscribers = new();
    private long _sequence;

    /// <summary>Raised for every line; the console writer listens here.</summary>
    public event Action<LogLine>? LineWritten;

    public void Write(string resource, string text, bool isError = false)
    {
        var line = new LogLine(Interlocked.Increment(ref _sequence), DateTimeOffset.UtcNow, resource, text, isError);
        _rings.GetOrAdd(resource, _ => new Ring(capacityPerResource)).Add(line);
        LineWritten?.Invoke(line);
        foreach (var (channel, filter) in _subscribers)
        {
            if (filter is null || filter == resource)
            {
                channel.Writer.TryWrite(line);
            }
        }
    }

    public IReadOnlyList<LogLine> Snapshot(string resource) =>
        _rings.TryGetValue(resource, out var ring) ? ring.ToList() : [];

    /// <summary>
    /// Live lines of one resource (or all when <paramref name="resource"/> is null). Slow readers
    /// lose the oldest buffered lines rather than slowing the resource down.
    /// </summary>
    public async IAsyncEnumerable<LogLine> SubscribeAsync(string? resource, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(capacityPerResource) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _subscribers[channel] = resource;
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }
        }
        finally
        {
            _subscribers.TryRemove(channel, out _);
        }
    }

    private sealed class Ring(int capacity)
    {
        private readonly LogLine[] _items = new LogLine[capacity];
        private int _next;
        private int _count;

        public void Add(LogLine line)
        {
            lock (_items)
            {
                _items[_next] = line;
                _next = (_next + 1) % _items.Length;
                _count = Math.Min(_count + 1, _items.Length);
            }
        }

        public List<LogLine> ToList()
        {
            lock (_items)
            {
                var start = (_next - _count + _items.Length) % _items.Length;
                return Enumerable.Range(0, _count).Select(i => _items[(start + i) % _items.Length]).ToList();
            }
        }
    }
}
