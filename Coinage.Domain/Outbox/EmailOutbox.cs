using System.Text.Json;
using Coinage.Domain.Data;

namespace Coinage.Domain.Outbox;

/// <summary>
/// Writes an email to the outbox in the caller's transaction; the Worker renders and sends it
/// (Coinage.Worker/Email, which reads the same payload shape). The payload carries what the
/// template needs, and for links the token: links are built by the Worker from <c>Coinage:WebBaseUrl</c>.
/// </summary>
public static class EmailOutbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Enqueue(CoinageDbContext db, string type, EmailRecipient to, DateTimeOffset now, IDictionary<string, string?>? data = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(to);
        var payload = new OutboxEmailPayload(to.Email, to.UserId.ToString(), to.AntiPhishingPhrase, data is null ? [] : new Dictionary<string, string?>(data));
        db.OutboxMessages.Add(OutboxMessage.Create(type, JsonSerializer.Serialize(payload, Json), now));
    }
}

/// <summary>Who an email goes to: the address, the user, and the anti-phishing phrase that heads every email.</summary>
public sealed record EmailRecipient(string Email, Guid UserId, string? AntiPhishingPhrase);

/// <summary>The outbox payload of every email (the Worker's <c>EmailPayload</c> reads the same shape).</summary>
internal sealed record OutboxEmailPayload(string To, string UserId, string? AntiPhishingPhrase, Dictionary<string, string?> Data);
