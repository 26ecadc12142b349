using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Outbox;

/// <summary>
/// A message to deliver after the transaction that wrote it commits (emails now, integration
/// events later). Written in the same transaction as the change it announces; the Worker
/// delivers it at least once and marks it processed.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>What the payload is, e.g. <c>email.verify</c>; the consumer dispatches on it.</summary>
    public string Type { get; set; } = "";

    /// <summary>JSON (jsonb).</summary>
    public string Payload { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>Failed delivery attempts so far.</summary>
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>
    /// When the message may next be taken for delivery: its creation for a new one, the end of a
    /// lease while a delivery runs (so one lost in a crash is taken again), a back-off after a
    /// failure. The retry schedule lives here, in the same row as the message, not in a queue.
    /// </summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public static OutboxMessage Create(string type, string payload, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        Type = type,
        Payload = payload,
        CreatedAt = now.ToUniversalTime(),
        NextAttemptAt = now.ToUniversalTime(),
    };

    /// <summary>Taken for delivery until <paramref name="now"/> + <see cref="OutboxRetryPolicy.Lease"/>.</summary>
    public void Lease(DateTimeOffset now) => NextAttemptAt = now + OutboxRetryPolicy.Lease;

    /// <summary>Records a failed attempt and schedules the next one (none after the last).</summary>
    public void RecordFailure(string error, DateTimeOffset now)
    {
        Attempts++;
        LastError = error.Length > 2000 ? error[..2000] : error;
        NextAttemptAt = now + OutboxRetryPolicy.BackOff(Attempts);
    }
}

/// <summary>How often and how long undelivered outbox messages are tried again.</summary>
public static class OutboxRetryPolicy
{
    /// <summary>After this many failures a message is left alone (dead letter): ops see it with its last error.</summary>
    public const int MaxAttempts = 10;

    /// <summary>How long a delivery may take before the message is considered lost and taken again.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    /// <summary>30 s, 1 min, 2 min, … capped at 1 h: about 6 hours from the first failure to the last try.</summary>
    public static TimeSpan BackOff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(30 * Math.Pow(2, Math.Max(0, attempts - 1)), 3600));
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Type).HasMaxLength(64).IsRequired();
        builder.Property(m => m.Payload).HasColumnType("jsonb").IsRequired();
        builder.Property(m => m.LastError).HasMaxLength(2000);
        // The dispatcher scans the unprocessed rows that are due.
        builder.HasIndex(m => m.NextAttemptAt).HasFilter("processed_at IS NULL");
    }
}
