using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Coinage.ApiService.Tests.Trading;
using Microsoft.AspNetCore.Http;

namespace Coinage.ApiService.Tests.Streaming;

/// <summary>A plain WebSocket client of <c>/ws/v1</c> through the test server, recording every message in order.</summary>
public sealed class FeedClient : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly ConcurrentQueue<JsonElement> _received = new();
    private readonly Task _receiving;
    private readonly SemaphoreSlim _sending = new(1, 1);

    private FeedClient(WebSocket socket)
    {
        _socket = socket;
        _receiving = ReceiveAsync();
    }

    public IReadOnlyList<JsonElement> Received => _received.ToList();

    /// <summary>The close frame the server sent, once the socket is closed.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseReason => _socket.CloseStatusDescription;

    public WebSocketState State => _socket.State;

    public static async Task<FeedClient> ConnectAsync(ApiFactory api, Action<HttpRequest>? configure = null)
    {
        _ = api.Services;
        var client = api.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => configure?.Invoke(request);
        var socket = await client.ConnectAsync(new Uri(api.Server.BaseAddress, "/ws/v1"), Trader.Ct);
        return new FeedClient(socket);
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message, JsonSerializerOptions.Web));

    public async Task SendTextAsync(string text) => await SendBytesAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type)
    {
        await _sending.WaitAsync(Trader.Ct);
        try
        {
            await _socket.SendAsync(bytes, type, endOfMessage: true, Trader.Ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The first received message (in order, from <paramref name="after"/> on) that satisfies <paramref name="condition"/>.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> condition, int after = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Received.Skip(after).Where(condition).Select(m => (JsonElement?)m).FirstOrDefault() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline,
                $"No matching message arrived; received: {string.Join(" | ", Received.Select(m => m.GetRawText()[..Math.Min(160, m.GetRawText().Length)]))}");
            await Task.Delay(25, Trader.Ct);
        }
    }

    public Task<JsonElement> WaitForTypeAsync(string type, string? channel = null, int after = 0) =>
        WaitForAsync(m => Type(m) == type && (channel is null || Channel(m) == channel), after);

    /// <summary>Waits until the server has closed the socket and the client has seen its close frame.</summary>
    public async Task WaitClosedAsync(TimeSpan? timeout = null) => await _receiving.WaitAsync(timeout ?? TimeSpan.FromSeconds(30), Trader.Ct);

    public static string? Type(JsonElement m) => m.TryGetProperty("type", out var t) ? t.GetString() : null;

    public static string? Channel(JsonElement m) => m.TryGetProperty("channel", out var c) ? c.GetString() : null;

    public static long Long(JsonElement m, string name) => long.Parse(m.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var count = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }
                    return;
                }
                using var document = JsonDocument.Parse(buffer.AsMemory(0, count));
                _received.Enqueue(document.RootElement.Clone());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
                await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
            {
            }
        }
        _socket.Dispose();
        _sending.Dispose();
    }
}

/// <summary>
/// A client's copy of one market's book, kept as docs/websocket.md tells: from a snapshot, each update applied when its
/// sequence is one more than the last in the same epoch; anything else is a gap, and the book waits for a fresh snapshot.
/// </summary>
public sealed class BookFollower(string market)
{
    public Dictionary<string, string> Bids { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Asks { get; } = new(StringComparer.Ordinal);

    public string? Epoch { get; private set; }

    public long Sequence { get; private set; }

    public long CommandSequence { get; private set; }

    public bool Synced { get; private set; }

    public int Gaps { get; private set; }

    public int Applied { get; private set; }

    /// <summary>Takes one message; true when it revealed a gap (the caller asks for a resync).</summary>
    public bool Take(JsonElement message)
    {
        if (FeedClient.Channel(message) != "book" || message.GetProperty("market").GetString() != market)
        {
            return false;
        }
        var epoch = message.GetProperty("epoch").GetString();
        var sequence = FeedClient.Long(message, "sequence");
        if (FeedClient.Type(message) == "snapshot")
        {
            Bids.Clear();
            Asks.Clear();
            Apply(message);
            (Epoch, Sequence, CommandSequence, Synced) = (epoch, sequence, FeedClient.Long(message, "commandSequence"), true);
            return false;
        }
        if (!Synced)
        {
            return false; // waiting for the snapshot asked for
        }
        if (epoch != Epoch || sequence != Sequence + 1)
        {
            Synced = false;
            Gaps++;
            return true;
        }
        Apply(message);
        (Sequence, CommandSequence) = (sequence, FeedClient.Long(message, "commandSequence"));
        Applied++;
        return false;
    }

    private void Apply(JsonElement message)
    {
        foreach (var (side, levels) in new[] { (Bids, message.GetProperty("bids")), (Asks, message.GetProperty("asks")) })
        {
            foreach (var level in levels.EnumerateArray())
            {
                if (level[1].GetString() == "0")
                {
                    side.Remove(level[0].GetString()!);
                }
                else
                {
                    side[level[0].GetString()!] = level[1].GetString()!;
                }
            }
        }
    }
}
