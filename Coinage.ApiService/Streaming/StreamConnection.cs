using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using System.Threading.RateLimiting;

namespace Coinage.ApiService.Streaming;

/// <summary>What the pump does with a queued item; the book items let it splice a snapshot and the updates around it.</summary>
public enum OutgoingKind
{
    Message,

    /// <summary>A book snapshot is on its way: hold this market's updates until it is sent.</summary>
    BookFollow,
    BookSnapshot,
    BookUpdate,
    BookUnfollow,
}

/// <summary>One queued item: the JSON ready to send (serialized once for every follower) and, for the book, where it stands.</summary>
public readonly record struct Outgoing(OutgoingKind Kind, byte[] Json, string? Market = null, long Epoch = 0, long Sequence = 0)
{
    public static Outgoing Message(byte[] json) => new(OutgoingKind.Message, json);
}

/// <summary>
/// One <c>/ws/v1</c> socket: its receive loop, its bounded send queue and the pump that drains it, its
/// subscriptions and who it is signed in as. Everything sent goes through the queue, so acks, snapshots and
/// updates reach the client in the order they were queued; a client that lets <see cref="StreamingOptions.QueueLimit"/>
/// messages pile up is closed (4000) rather than buffered without end.
/// </summary>
public sealed partial class StreamConnection : IDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly WebSocket _socket;
    private readonly StreamingOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Channel<Outgoing> _queue;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _done = new();
    private readonly TokenBucketRateLimiter _limiter;
    private readonly ConcurrentDictionary<string, byte> _topics = new(StringComparer.Ordinal);
    private ITimer? _expiry;
    private int _closing;
    private Task _closed = Task.CompletedTask;

    public StreamConnection(WebSocket socket, StreamingOptions options, TimeProvider clock, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _clock = clock;
        _logger = logger;
        _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(Math.Max(16, options.QueueLimit))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: that is the slow-consumer signal
        });
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.MessageBurst),
            TokensPerPeriod = Math.Max(1, options.MessagesPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    public Guid? User { get; private set; }

    /// <summary>The sign-in session of the access token, for closing the socket when the session is revoked; null for an API key.</summary>
    public Guid? Session { get; private set; }

    /// <summary>Signed in by the handshake (an API key or a bearer token), not by an <c>auth</c> message.</summary>
    public bool SignedInByHandshake { get; private set; }

    public int TopicCount => _topics.Count;

    public bool IsClosing => Volatile.Read(ref _closing) == 1;

    public bool Follows(string topic) => _topics.ContainsKey(topic);

    public IEnumerable<string> Topics => _topics.Keys;

    internal bool AddTopic(string topic) => _topics.TryAdd(topic, 0);

    internal bool RemoveTopic(string topic) => _topics.TryRemove(topic, out _);

    /// <summary>Binds the connection to a user until <paramref name="expires"/> (then closed with 4002, unless signed in again before).</summary>
    public void SignIn(Guid user, Guid? session, DateTimeOffset? expires, bool byHandshake)
    {
        (User, Session, SignedInByHandshake) = (user, session, byHandshake);
        _expiry?.Dispose();
        if (expires is { } at)
        {
            var due = at - _clock.GetUtcNow();
            _expiry = _clock.CreateTimer(_ => Close(StreamCloseCodes.TokenExpired, "token_expired"), null,
                due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Queues an item; false (and the connection closing with 4000) when the client has fallen <see cref="StreamingOptions.QueueLimit"/> messages behind.</summary>
    public bool Enqueue(Outgoing item)
    {
        if (_queue.Writer.TryWrite(item))
        {
            return true;
        }
        if (!IsClosing)
        {
            LogSlowConsumer(_options.QueueLimit);
            Close(StreamCloseCodes.SlowConsumer, "slow_consumer");
        }
        return false;
    }

    public bool Send<T>(T message, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Enqueue(Outgoing.Message(JsonSerializer.SerializeToUtf8Bytes(message, type)));

    /// <summary>
    /// Starts the closing handshake once: what is still queued is dropped, the close frame goes out as soon as no
    /// message is being written, and a client that does not answer it within a few seconds is cut off.
    /// </summary>
    public void Close(int code, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }
        _queue.Writer.TryComplete();
        _closed = CloseAsync((WebSocketCloseStatus)code, reason);
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            if (!await _send.WaitAsync(CloseTimeout).ConfigureAwait(false))
            {
                _socket.Abort(); // stuck writing to a client that does not read
                return;
            }
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    using var timeout = new CancellationTokenSource(CloseTimeout);
                    await _socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                _send.Release();
            }
            // The client's close frame ends the receive loop (and cancels this wait); one that never answers is cut off.
            await Task.Delay(CloseTimeout, _clock, _done.Token).ConfigureAwait(false);
            _socket.Abort();
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Receives until the client closes or the socket breaks, handing each text message to <paramref name="handle"/>.</summary>
    public async Task RunAsync(Func<ReadOnlyMemory<byte>, Task> handle, Func<ErrorMessage, Task> reject)
    {
        var pump = PumpAsync();
        var heartbeat = HeartbeatAsync();
        var buffer = new byte[Math.Max(256, _options.MaxMessageBytes)];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        Close((int)WebSocketCloseStatus.MessageTooBig, "message_too_large");
                        count = 0; // from here on the loop only waits for the client's close frame
                    }
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None).ConfigureAwait(false);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Close((int)WebSocketCloseStatus.NormalClosure, "");
                    break;
                }
                if (IsClosing)
                {
                    continue;
                }
                using var lease = _limiter.AttemptAcquire();
                if (!lease.IsAcquired)
                {
                    Close(StreamCloseCodes.RateLimited, "rate_limited");
                    continue;
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await reject(new ErrorMessage(null, StreamErrorCodes.TextOnly, "Messages are JSON text frames.", null)).ConfigureAwait(false);
                    continue;
                }
                await handle(buffer.AsMemory(0, count)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away without a closing handshake.
        }
        finally
        {
            // Closing from here on: events still arriving before the connection leaves the index are dropped quietly.
            Interlocked.Exchange(ref _closing, 1);
            _queue.Writer.TryComplete();
            await _done.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pump, heartbeat, _closed).ConfigureAwait(false);
        }
    }

    private sealed class BookState
    {
        public bool Ready { get; set; }

        public long Epoch { get; set; }

        public long Sequence { get; set; }

        public List<Outgoing> Pending { get; } = [];
    }

    /// <summary>
    /// Drains the queue onto the socket. Per market it drops book updates the snapshot already includes, and
    /// holds the ones queued before their snapshot, so the client sees the snapshot and then consecutive updates.
    /// </summary>
    private async Task PumpAsync()
    {
        await Task.Yield();
        var books = new Dictionary<string, BookState>(StringComparer.Ordinal);
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (IsClosing)
                {
                    break;
                }
                switch (item.Kind)
                {
                    case OutgoingKind.Message:
                        await SendAsync(item.Json).ConfigureAwait(false);
                        break;
                    case OutgoingKind.BookFollow:
                        books[item.Market!] = new BookState();
                        break;
                    case OutgoingKind.BookUnfollow:
                        books.Remove(item.Market!);
                        break;
                    case OutgoingKind.BookSnapshot when books.TryGetValue(item.Market!, out var book):
                        await SendAsync(item.Json).ConfigureAwait(false);
                        (book.Ready, book.Epoch, book.Sequence) = (true, item.Epoch, item.Sequence);
                        foreach (var pending in book.Pending)
                        {
                            await SendUpdateAsync(book, pending).ConfigureAwait(false);
                        }
                        book.Pending.Clear();
                        break;
                    case OutgoingKind.BookUpdate when books.TryGetValue(item.Market!, out var book):
                        if (book.Ready)
                        {
                            await SendUpdateAsync(book, item).ConfigureAwait(false);
                        }
                        else if (book.Pending.Count < _options.QueueLimit)
                        {
                            book.Pending.Add(item);
                        }
                        else
                        {
                            Close(StreamCloseCodes.SlowConsumer, "slow_consumer");
                        }
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private Task SendUpdateAsync(BookState book, Outgoing update)
    {
        if (update.Epoch == book.Epoch && update.Sequence <= book.Sequence)
        {
            return Task.CompletedTask; // already in the snapshot
        }
        (book.Epoch, book.Sequence) = (update.Epoch, update.Sequence);
        return SendAsync(update.Json);
    }

    private async Task SendAsync(byte[] json)
    {
        await _send.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!IsClosing)
            {
                await _socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task HeartbeatAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_options.HeartbeatInterval, _clock);
            while (await timer.WaitForNextTickAsync(_done.Token).ConfigureAwait(false))
            {
                Send(new HeartbeatMessage(_clock.GetUtcNow()), StreamJson.Default.HeartbeatMessage);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _expiry?.Dispose();
        _limiter.Dispose();
        _done.Dispose();
        _send.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A WebSocket feed connection fell {Limit} messages behind and is being closed")]
    private partial void LogSlowConsumer(int limit);
}
