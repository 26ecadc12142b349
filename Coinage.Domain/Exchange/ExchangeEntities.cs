using Coinage.Domain.Data;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Exchange;

/// <summary>A currency or coin and the decimals the ledger keeps for it (reference data, seeded by the migration).</summary>
public sealed class AssetRecord
{
    public string Code { get; set; } = "";

    public int Precision { get; set; }

    /// <summary>
    /// The flat network fee charged on top of each withdrawal of the asset (BTC 0.0002, a wire 5 USD), on the asset's grid.
    /// A withdrawal stores the fee of its request, so a later change by an Admin applies to later withdrawals only.
    /// </summary>
    public decimal WithdrawalFee { get; set; }

    public Asset ToAsset() => new(Code, Precision);
}

public enum MarketStatus : byte
{
    Open = 0,

    /// <summary>No new orders; cancels still go through so traders can always take their funds back.</summary>
    Halted = 1,

    /// <summary>
    /// Only cancels are accepted: set by an Admin, or by the circuit breaker between its halt and continuous trading
    /// (traders take down what they no longer want before the market trades again).
    /// </summary>
    CancelOnly = 2,
}

/// <summary>Who set a market's current status (docs/exchange.md, "Risk controls").</summary>
public enum MarketStatusSource : byte
{
    /// <summary>An Admin through the admin API (or the seed).</summary>
    Admin = 0,

    /// <summary>The matching host's circuit breaker: the status ends by itself at <see cref="MarketRecord.StatusUntil"/>.</summary>
    CircuitBreaker = 1,
}

/// <summary>An order-book market. Its id is also its advisory-lock key in the Worker (one owner per market).</summary>
public sealed class MarketRecord
{
    public int Id { get; set; }

    public string Symbol { get; set; } = "";

    public string BaseAsset { get; set; } = "";

    public string QuoteAsset { get; set; } = "";

    public decimal TickSize { get; set; }

    public decimal LotSize { get; set; }

    /// <summary>Smallest order size in base.</summary>
    public decimal MinQuantity { get; set; }

    /// <summary>Smallest order value in quote (limit price × size, or a market buy's budget).</summary>
    public decimal MinNotional { get; set; }

    public decimal MakerFeeBps { get; set; }

    public decimal TakerFeeBps { get; set; }

    public MarketStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    // Risk controls (docs/exchange.md, "Risk controls"). A null limit is off. The defaults are those of a market an
    // Admin adds; the seeded markets get theirs from the migration RiskControls.

    /// <summary>A limit order priced more than this many basis points from the reference price is refused (<c>price_band</c>).</summary>
    public int? PriceBandBps { get; set; } = 1000;

    /// <summary>Largest order size in base (<c>max_order_size</c>).</summary>
    public decimal? MaxOrderSize { get; set; }

    /// <summary>Largest order value in quote: limit price × size, or a market buy's budget (<c>max_order_notional</c>).</summary>
    public decimal? MaxOrderNotional { get; set; }

    /// <summary>Most Pending, Open and PartiallyFilled orders one trader may have in this market (<c>open_order_limit</c>).</summary>
    public int? OpenOrderLimit { get; set; } = 200;

    /// <summary>The circuit breaker trips when the price moves more than this many basis points within <see cref="BreakerWindowSeconds"/>.</summary>
    public int? BreakerMoveBps { get; set; } = 1500;

    public int BreakerWindowSeconds { get; set; } = 300;

    /// <summary>How long a tripped breaker halts the market (cooling-off).</summary>
    public int BreakerHaltSeconds { get; set; } = 300;

    /// <summary>How long the market stays cancel-only after the cooling-off, before continuous trading.</summary>
    public int BreakerCancelOnlySeconds { get; set; } = 60;

    public MarketStatusSource StatusSource { get; set; }

    /// <summary>When the status last changed: the breaker's window never reaches back before it (a reopened market starts afresh).</summary>
    public DateTimeOffset? StatusChangedAt { get; set; }

    /// <summary>When the breaker's current phase ends (halt, then cancel-only); null for a status set by an Admin.</summary>
    public DateTimeOffset? StatusUntil { get; set; }
}

/// <summary>
/// The ledger's owner id of a user. The engine and the ledger count owners in <see cref="long"/>s
/// (0 is the system); Identity's ids are Guids. Created on first use.
/// </summary>
public sealed class Trader
{
    public long OwnerId { get; set; }

    public Guid UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set by an Admin (kill switch): the trader's new orders are refused with <c>trading_suspended</c>; cancels still go through.</summary>
    public DateTimeOffset? TradingSuspendedAt { get; set; }
}

/// <summary>
/// The stored balance of one ledger account (owner, asset, kind): a user's Available and Held rows, the
/// system's External and Fees rows per asset. One row per account (not available/held columns) so the
/// row is exactly the <see cref="AccountId"/> the ledger posts to, and the lock order (by id) is per account.
/// </summary>
public sealed class BalanceRecord
{
    public long Id { get; set; }

    public long OwnerId { get; set; }

    public string Asset { get; set; } = "";

    public AccountKind Kind { get; set; }

    public decimal Amount { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A stored <see cref="JournalEntry"/>. Append-only.</summary>
public sealed class JournalEntryRecord
{
    public long Id { get; set; }

    public JournalEntryKind Kind { get; set; }

    public long ReferenceId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<PostingRecord> Postings { get; set; } = [];
}

/// <summary>One line of a journal entry. Append-only; the account's owner, asset and kind are copied so the ledger reads without joins.</summary>
/// <remarks>
/// No index on its entry or account: nothing reads postings by either (the ledger pages by owner, reconciliation
/// scans), and every order writes several postings (migration <c>FewerIndexWritesPerOrder</c>).
/// </remarks>
[UnindexedForeignKeys]
public sealed class PostingRecord
{
    public long Id { get; set; }

    public long JournalEntryId { get; set; }

    public long AccountId { get; set; }

    public long OwnerId { get; set; }

    public string Asset { get; set; } = "";

    public AccountKind Kind { get; set; }

    public decimal Amount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// An order: its terms in engine units (ticks, lots, notional units) and the columns of
/// <see cref="OrderLedgerState"/>. Its id is the sequence of its place command, so ids grow with time.
/// </summary>
public sealed class OrderRecord
{
    public long Id { get; set; }

    public int MarketId { get; set; }

    public long OwnerId { get; set; }

    public string? ClientOrderId { get; set; }

    /// <summary>SHA-256 of the normalized request: a retry with the same client order id but another body is a conflict.</summary>
    public string RequestHash { get; set; } = "";

    public Side Side { get; set; }

    public OrderType Type { get; set; }

    public TimeInForce TimeInForce { get; set; }

    public bool PostOnly { get; set; }

    public SelfTradePrevention SelfTradePrevention { get; set; }

    public long LimitPriceTicks { get; set; }

    public long QuantityLots { get; set; }

    public long QuoteBudgetUnits { get; set; }

    /// <summary>None for a plain order; Stop or TakeProfit for an order armed until <see cref="TriggerPriceTicks"/> trades.</summary>
    public TriggerType TriggerType { get; set; }

    /// <summary>Trigger price in ticks; 0 for a plain order.</summary>
    public long TriggerPriceTicks { get; set; }

    /// <summary>When the matching host fired its trigger; null while it waits (status Untriggered) and for plain orders.</summary>
    public DateTimeOffset? TriggeredAt { get; set; }

    public string HoldAsset { get; set; } = "";

    public decimal OriginalHold { get; set; }

    public decimal RemainingHold { get; set; }

    public long FilledLots { get; set; }

    public decimal FilledQuote { get; set; }

    public decimal FeeExact { get; set; }

    public decimal FeePaid { get; set; }

    public OrderStatus Status { get; set; }

    /// <summary>Why a Cancelled or Rejected order ended (set by settlement with its status); None otherwise.</summary>
    public OrderCloseReason CloseReason { get; set; }

    /// <summary>
    /// Time priority on the book while the order rests: stamped by the matching host when the order first rests,
    /// cleared (by <see cref="Apply"/>) when it leaves the book. Rebuild restores resting orders in this order.
    /// An armed (Untriggered) order has one too, so that rebuild finds it through the same partial index; when it
    /// fires, the host clears it and stamps a new one if the order comes to rest.
    /// </summary>
    public long? BookPriority { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// The other leg of its one-cancels-the-other pair (set on both legs when the pair is placed, never cleared: the
    /// status of the partner says whether the pair is still live). Null for an order placed alone.
    /// </summary>
    public long? OcoPartnerId { get; set; }

    /// <summary>
    /// Why the last amend of this order was refused by the matching host (the order kept its terms), or None when the
    /// last one was applied or there was none: how a trader learns the fate of a 202 Accepted amend.
    /// </summary>
    public AmendRejection LastAmendRejection { get; set; }

    public OrderLedgerState ToLedgerState(Asset holdAsset) => new()
    {
        OrderId = Id,
        Owner = OwnerId,
        Side = Side,
        Type = Type,
        LimitPrice = LimitPriceTicks,
        Quantity = QuantityLots,
        QuoteBudget = QuoteBudgetUnits,
        HoldAsset = holdAsset,
        OriginalHold = OriginalHold,
        RemainingHold = RemainingHold,
        FilledQuantity = FilledLots,
        FilledQuote = FilledQuote,
        FeeExact = FeeExact,
        FeePaid = FeePaid,
        Status = Status,
        CloseReason = CloseReason,
        OcoPartner = OcoPartnerId ?? 0,
    };

    public void Apply(OrderLedgerState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        // Only an amend changes the terms (LimitPrice, Quantity); for every other event they are what they were.
        LimitPriceTicks = state.LimitPrice;
        QuantityLots = state.Quantity;
        RemainingHold = state.RemainingHold;
        FilledLots = state.FilledQuantity;
        FilledQuote = state.FilledQuote;
        FeeExact = state.FeeExact;
        FeePaid = state.FeePaid;
        Status = state.Status;
        CloseReason = state.CloseReason;
        if (Status is not (OrderStatus.Open or OrderStatus.PartiallyFilled or OrderStatus.Untriggered))
        {
            BookPriority = null;
        }
        UpdatedAt = now;
    }

    public PlaceOrder ToPlaceCommand() => new()
    {
        OrderId = Id,
        Owner = OwnerId,
        Side = Side,
        Type = Type,
        TimeInForce = TimeInForce,
        Price = LimitPriceTicks,
        Quantity = QuantityLots,
        QuoteBudget = QuoteBudgetUnits,
        PostOnly = PostOnly,
        SelfTradePrevention = SelfTradePrevention,
        Trigger = TriggerType,
        TriggerPrice = TriggerPriceTicks,
    };
}

public sealed class TradeRecord
{
    public long Id { get; set; }

    public int MarketId { get; set; }

    public long TakerOrderId { get; set; }

    public long MakerOrderId { get; set; }

    public long TakerOwnerId { get; set; }

    public long MakerOwnerId { get; set; }

    public Side TakerSide { get; set; }

    public decimal Price { get; set; }

    public decimal Quantity { get; set; }

    public decimal QuoteAmount { get; set; }

    public decimal TakerFee { get; set; }

    public decimal MakerFee { get; set; }

    public long JournalEntryId { get; set; }

    /// <summary>The command whose matching produced the trade.</summary>
    public long CommandSequence { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public enum MarketCommandType : byte
{
    Place = 1,
    Cancel = 2,
    CancelAll = 3,

    /// <summary>A one-cancels-the-other pair: <see cref="MarketCommand.OrderId"/> is the limit leg, whose row names the stop leg.</summary>
    PlaceOco = 4,

    /// <summary>An amend of a resting limit order; the new terms and the extra hold taken for them are in the payload (<see cref="AmendCommand"/>).</summary>
    Amend = 5,
}

/// <summary>
/// The payload of an <see cref="MarketCommandType.Amend"/> command: the new price (ticks) and total size (lots), and what
/// the API held on top of the order's hold when it appended the command (the hold asset's amount, 0 for none). Until the
/// command is processed that extra hold is a claim on the Held balance of its own (the invariant checks count it); the
/// matching host then adds it to the order's hold, or releases it if the amend is refused.
/// </summary>
public sealed record AmendCommand(long PriceTicks, long QuantityLots, decimal ExtraHold, string HoldAsset);

/// <summary>Why the matching host refused an amend it had accepted with 202 (<see cref="OrderRecord.LastAmendRejection"/>).</summary>
public enum AmendRejection : byte
{
    None = 0,

    /// <summary>The new price reaches the opposite best price: an amend never takes liquidity.</summary>
    WouldCross = 1,

    /// <summary>The order left the book (filled, cancelled) or became a leg the amend cannot apply to.</summary>
    NotAmendable = 2,

    /// <summary>The new size is not above what has filled by the time the amend was processed.</summary>
    InvalidQuantity = 3,

    /// <summary>The order's fills since the amend was accepted left its hold plus the extra short of the new terms' need.</summary>
    InsufficientFunds = 4,

    /// <summary>The matching host could not process the amend at all and took it out of the stream (an operator is alerted).</summary>
    ProcessingFailed = 5,
}

/// <summary>
/// The input of a market's matching host, in sequence. Written by the ApiService in the transaction
/// that accepts the request; marked processed by the Worker in the transaction that stores its effects,
/// so a command is applied exactly once.
/// </summary>
public sealed class MarketCommand
{
    public long Sequence { get; set; }

    public int MarketId { get; set; }

    public MarketCommandType Type { get; set; }

    public long OwnerId { get; set; }

    /// <summary>The order placed, cancelled or amended (the limit leg of an OCO pair); null for cancel-all.</summary>
    public long? OrderId { get; set; }

    /// <summary>JSON (jsonb): the request as accepted, for audit and debugging; the engine reads the order row.</summary>
    public string Payload { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>What the engine said when it refused the command (e.g. a cancel of an order already filled); null otherwise.</summary>
    public string? Result { get; set; }
}

public enum DepositStatus : byte
{
    Pending = 0,
    Confirmed = 1,
    Rejected = 2,
}

/// <summary>A deposit through the simulated payment rail; the <c>Idempotency-Key</c> makes a retry return the same row.</summary>
public sealed class DepositRecord
{
    public long Id { get; set; }

    public long OwnerId { get; set; }

    public string IdempotencyKey { get; set; } = "";

    public string Asset { get; set; } = "";

    public decimal Amount { get; set; }

    public DepositStatus Status { get; set; }

    public long? JournalEntryId { get; set; }

    /// <summary>Why an Admin approved or rejected it (null when the Worker or the Development rail confirmed it).</summary>
    public string? Reason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}

internal sealed class AssetRecordConfiguration : IEntityTypeConfiguration<AssetRecord>
{
    public void Configure(EntityTypeBuilder<AssetRecord> builder)
    {
        builder.ToTable("assets");
        builder.HasKey(a => a.Code);
        builder.Property(a => a.Code).HasMaxLength(12);
        builder.Property(a => a.WithdrawalFee).HasPrecision(38, 18);
        builder.ToTable(t => t.HasCheckConstraint("ck_assets_withdrawal_fee_not_negative", "withdrawal_fee >= 0"));
        builder.HasData(
            new AssetRecord { Code = "BTC", Precision = 8, WithdrawalFee = 0.0002m },
            new AssetRecord { Code = "ETH", Precision = 8, WithdrawalFee = 0.002m },
            new AssetRecord { Code = "USD", Precision = 2, WithdrawalFee = 5m });
    }
}

internal sealed class MarketRecordConfiguration : IEntityTypeConfiguration<MarketRecord>
{
    public void Configure(EntityTypeBuilder<MarketRecord> builder)
    {
        builder.ToTable("markets");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedOnAdd();
        builder.Property(m => m.Symbol).HasMaxLength(32);
        builder.HasIndex(m => m.Symbol).IsUnique();
        builder.Property(m => m.BaseAsset).HasMaxLength(12);
        builder.Property(m => m.QuoteAsset).HasMaxLength(12);
        builder.HasOne<AssetRecord>().WithMany().HasForeignKey(m => m.BaseAsset).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AssetRecord>().WithMany().HasForeignKey(m => m.QuoteAsset).OnDelete(DeleteBehavior.Restrict);
        foreach (var money in new[] { nameof(MarketRecord.TickSize), nameof(MarketRecord.LotSize), nameof(MarketRecord.MinQuantity), nameof(MarketRecord.MinNotional) })
        {
            builder.Property(money).HasPrecision(38, 18);
        }
        builder.Property(m => m.MakerFeeBps).HasPrecision(9, 4);
        builder.Property(m => m.TakerFeeBps).HasPrecision(9, 4);
        builder.Property(m => m.MaxOrderSize).HasPrecision(38, 18);
        builder.Property(m => m.MaxOrderNotional).HasPrecision(38, 18);
        var seeded = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
        // Grids satisfy the exact-grid rule (docs/exchange.md): lot ≥ base unit, tick × lot ≥ quote unit.
        builder.HasData(
            new MarketRecord { Id = 1, Symbol = "BTC-USD", BaseAsset = "BTC", QuoteAsset = "USD", TickSize = 1m, LotSize = 0.01m, MinQuantity = 0.01m, MinNotional = 10m, MakerFeeBps = 10m, TakerFeeBps = 20m, CreatedAt = seeded, MaxOrderSize = 100m, MaxOrderNotional = 10_000_000m },
            new MarketRecord { Id = 2, Symbol = "ETH-USD", BaseAsset = "ETH", QuoteAsset = "USD", TickSize = 0.1m, LotSize = 0.1m, MinQuantity = 0.1m, MinNotional = 10m, MakerFeeBps = 10m, TakerFeeBps = 20m, CreatedAt = seeded, MaxOrderSize = 2_000m, MaxOrderNotional = 10_000_000m },
            new MarketRecord { Id = 3, Symbol = "ETH-BTC", BaseAsset = "ETH", QuoteAsset = "BTC", TickSize = 0.00001m, LotSize = 0.001m, MinQuantity = 0.001m, MinNotional = 0.0001m, MakerFeeBps = 10m, TakerFeeBps = 20m, CreatedAt = seeded, MaxOrderSize = 2_000m, MaxOrderNotional = 200m });
    }
}

internal sealed class TraderConfiguration : IEntityTypeConfiguration<Trader>
{
    public void Configure(EntityTypeBuilder<Trader> builder)
    {
        builder.ToTable("traders");
        builder.HasKey(t => t.OwnerId);
        builder.Property(t => t.OwnerId).UseIdentityAlwaysColumn();
        builder.HasIndex(t => t.UserId).IsUnique();
    }
}

internal sealed class BalanceRecordConfiguration : IEntityTypeConfiguration<BalanceRecord>
{
    public void Configure(EntityTypeBuilder<BalanceRecord> builder)
    {
        // A user's funds and the fees earned are never negative (DESIGN.md §2), enforced by the database as well as by
        // every writer's check: the group commit judges holds on balances read without a lock and relies on this to
        // refuse the commit when a concurrent withdrawal spent the funds first (docs/exchange.md, "Locks").
        builder.ToTable("balances", t => t.HasCheckConstraint("ck_balances_not_negative", "kind = 2 OR amount >= 0"));
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Asset).HasMaxLength(12);
        builder.Property(b => b.Amount).HasPrecision(38, 18);
        builder.HasIndex(b => new { b.OwnerId, b.Asset, b.Kind }).IsUnique();
        builder.HasOne<AssetRecord>().WithMany().HasForeignKey(b => b.Asset).OnDelete(DeleteBehavior.Restrict);
        var seeded = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
        // The system's External and Fees accounts, so the first deposit or fee never races to create them.
        builder.HasData(
            new BalanceRecord { Id = -1, OwnerId = 0, Asset = "BTC", Kind = AccountKind.External, UpdatedAt = seeded },
            new BalanceRecord { Id = -2, OwnerId = 0, Asset = "BTC", Kind = AccountKind.Fees, UpdatedAt = seeded },
            new BalanceRecord { Id = -3, OwnerId = 0, Asset = "ETH", Kind = AccountKind.External, UpdatedAt = seeded },
            new BalanceRecord { Id = -4, OwnerId = 0, Asset = "ETH", Kind = AccountKind.Fees, UpdatedAt = seeded },
            new BalanceRecord { Id = -5, OwnerId = 0, Asset = "USD", Kind = AccountKind.External, UpdatedAt = seeded },
            new BalanceRecord { Id = -6, OwnerId = 0, Asset = "USD", Kind = AccountKind.Fees, UpdatedAt = seeded });
    }
}

internal sealed class JournalEntryRecordConfiguration : IEntityTypeConfiguration<JournalEntryRecord>
{
    public void Configure(EntityTypeBuilder<JournalEntryRecord> builder)
    {
        builder.ToTable("journal_entries");
        builder.HasKey(e => e.Id);
        builder.HasIndex(e => new { e.Kind, e.ReferenceId });
        // In the model only: migration LedgerPostingsWithoutForeignKeys dropped the database constraint (see there).
        builder.HasMany(e => e.Postings).WithOne().HasForeignKey(p => p.JournalEntryId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PostingRecordConfiguration : IEntityTypeConfiguration<PostingRecord>
{
    public void Configure(EntityTypeBuilder<PostingRecord> builder)
    {
        builder.ToTable("ledger_postings");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Asset).HasMaxLength(12);
        builder.Property(p => p.Amount).HasPrecision(38, 18);
        // In the model only, like the entry's: reconciliation checks both (ledger/orphan_posting).
        builder.HasOne<BalanceRecord>().WithMany().HasForeignKey(p => p.AccountId).OnDelete(DeleteBehavior.Restrict);
        // The ledger endpoint pages one owner's postings newest first.
        builder.HasIndex(p => new { p.OwnerId, p.Id });
    }
}

internal sealed class OrderRecordConfiguration : IEntityTypeConfiguration<OrderRecord>
{
    public void Configure(EntityTypeBuilder<OrderRecord> builder)
    {
        builder.ToTable("orders");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.ClientOrderId).HasMaxLength(64);
        builder.Property(o => o.RequestHash).HasMaxLength(64);
        builder.Property(o => o.HoldAsset).HasMaxLength(12);
        foreach (var money in new[] { nameof(OrderRecord.OriginalHold), nameof(OrderRecord.RemainingHold), nameof(OrderRecord.FilledQuote), nameof(OrderRecord.FeeExact), nameof(OrderRecord.FeePaid) })
        {
            builder.Property(money).HasPrecision(38, 18);
        }
        builder.HasIndex(o => new { o.OwnerId, o.ClientOrderId }).IsUnique().HasFilter("client_order_id IS NOT NULL");
        builder.HasIndex(o => new { o.OwnerId, o.Id });
        // Rebuild reads a market's resting orders in book priority. The filter names book_priority, not status, so
        // that a status change alone (a taker filled, a resting order partly filled) touches no indexed column and
        // is a HOT update, which the free space left by the fill factor makes possible right after the insert.
        builder.HasIndex(o => new { o.MarketId, o.BookPriority }).HasFilter("book_priority IS NOT NULL");
        // The open-order cap counts a trader's resting orders in a market (migration RiskControls). Same filter, for the
        // same reason: owner and market never change and book_priority is indexed already, so no update loses HOT.
        builder.HasIndex(o => new { o.OwnerId, o.MarketId }).HasFilter("book_priority IS NOT NULL").HasDatabaseName("ix_orders_owner_id_market_id_resting");
        builder.HasStorageParameter("fillfactor", 80);
        // No foreign keys to markets and traders (migration OrderPathWithoutForeignKeys): the group commit
        // already holds its markets under KEY SHARE and takes owners from signed-in users, and each check cost a
        // query and a row lock per order, half the cost of the insert. Reconciliation reports an order whose
        // market or owner is missing (commands/orphan_row).
    }
}

internal sealed class TradeRecordConfiguration : IEntityTypeConfiguration<TradeRecord>
{
    public void Configure(EntityTypeBuilder<TradeRecord> builder)
    {
        builder.ToTable("trades");
        builder.HasKey(t => t.Id);
        foreach (var money in new[] { nameof(TradeRecord.Price), nameof(TradeRecord.Quantity), nameof(TradeRecord.QuoteAmount), nameof(TradeRecord.TakerFee), nameof(TradeRecord.MakerFee) })
        {
            builder.Property(money).HasPrecision(38, 18);
        }
        // A taker meets a maker at most once: a command applied twice could not store its trades twice.
        builder.HasIndex(t => new { t.TakerOrderId, t.MakerOrderId }).IsUnique();
        builder.HasIndex(t => t.MakerOrderId);
        builder.HasIndex(t => new { t.MarketId, t.Id });
        // Market data: 24-hour tickers and candles read a market's trades by time.
        builder.HasIndex(t => new { t.MarketId, t.CreatedAt });
        // Reconciliation joins trades and their settlement entries both ways. No foreign key (migration
        // OrderPathWithoutForeignKeys): the entry is written by the same batch, and reconciliation reports a
        // trade without its entry (trades/trade_entry).
        builder.HasIndex(t => t.JournalEntryId);
    }
}

internal sealed class MarketCommandConfiguration : IEntityTypeConfiguration<MarketCommand>
{
    public void Configure(EntityTypeBuilder<MarketCommand> builder)
    {
        builder.ToTable("market_commands");
        builder.HasKey(c => c.Sequence);
        // Identity by default: a place command takes nextval first so that its order shares the number (ExchangeSql.NextCommandSequence).
        builder.Property(c => c.Sequence).UseIdentityByDefaultColumn();
        builder.Property(c => c.Payload).HasColumnType("jsonb");
        builder.Property(c => c.Result).HasMaxLength(64);
        builder.HasIndex(c => new { c.MarketId, c.Sequence }).HasFilter("processed_at IS NULL");
        // Market data: the sequence a market's book stands at is its last processed command.
        builder.HasIndex(c => new { c.MarketId, c.Sequence }, "ix_market_commands_market_id_sequence_processed").HasFilter("processed_at IS NOT NULL").IsDescending(false, true).HasDatabaseName("ix_market_commands_market_id_processed_sequence");
        // No foreign key to markets, as for orders (migration OrderPathWithoutForeignKeys; commands/orphan_row).
    }
}

internal sealed class DepositRecordConfiguration : IEntityTypeConfiguration<DepositRecord>
{
    public void Configure(EntityTypeBuilder<DepositRecord> builder)
    {
        builder.ToTable("deposits");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.IdempotencyKey).HasMaxLength(128);
        builder.Property(d => d.Asset).HasMaxLength(12);
        builder.Property(d => d.Amount).HasPrecision(38, 18);
        builder.HasIndex(d => new { d.OwnerId, d.IdempotencyKey }).IsUnique();
        builder.Property(d => d.Reason).HasMaxLength(500);
        // The user's list pages newest first; the Worker and the Admin list scan the pending ones.
        builder.HasIndex(d => new { d.OwnerId, d.Id });
        builder.HasIndex(d => d.Id).HasFilter("status = 0").HasDatabaseName("ix_deposits_pending");
        builder.HasOne<Trader>().WithMany().HasForeignKey(d => d.OwnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AssetRecord>().WithMany().HasForeignKey(d => d.Asset).OnDelete(DeleteBehavior.Restrict);
    }
}
