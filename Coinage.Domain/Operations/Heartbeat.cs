using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Operations;

/// <summary>
/// Proof of life of a back-office instance: the worker's recurring <c>heartbeat</c> job appends
/// one row per run, so ops (and <c>GET /api/v1/status</c>) can tell whether background jobs run.
/// </summary>
public sealed class Heartbeat
{
    public long Id { get; private set; }

    /// <summary>Which instance wrote the row (machine and service instance name).</summary>
    public string Source { get; private set; }

    public DateTimeOffset RecordedAt { get; private set; }

    public Heartbeat(string source, DateTimeOffset recordedAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
        // timestamptz only stores UTC; normalising here keeps Npgsql from rejecting other offsets.
        RecordedAt = recordedAt.ToUniversalTime();
    }
}

internal sealed class HeartbeatConfiguration : IEntityTypeConfiguration<Heartbeat>
{
    public void Configure(EntityTypeBuilder<Heartbeat> builder)
    {
        builder.ToTable("heartbeats");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Source).IsRequired();
        builder.Property(h => h.RecordedAt).IsRequired();
        // The status endpoint asks for the newest row.
        builder.HasIndex(h => h.RecordedAt).IsDescending();
    }
}
