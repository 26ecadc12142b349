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
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    public static OutboxMessage Create(string type, string payload, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        Type = type,
        Payload = payload,
        CreatedAt = now.ToUniversalTime(),
    };
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
        // The dispatcher scans the unprocessed rows only.
        builder.HasIndex(m => m.CreatedAt).HasFilter("processed_at IS NULL");
    }
}
