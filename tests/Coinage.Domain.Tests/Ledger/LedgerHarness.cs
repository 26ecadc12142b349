using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Ledger;

/// <summary>
/// The ledger as the database keeps it (postings, balances, order rows, pending withdrawals), in
/// memory, so the pure code can be checked end to end: entries are applied exactly as the Worker
/// will apply them to PostgreSQL, and <see cref="InvariantChecker"/> audits the result.
/// </summary>
internal sealed class TestLedger
{
    public List<Posting> Postings { get; } = [];

    public Dictionary<AccountId, decimal> Balances { get; } = [];

    public Dictionary<long, OrderLedgerState> Orders { get; } = [];

    public Dictionary<long, HeldFunds> PendingWithdrawals { get; } = [];

    /// <summary>Deposits minus completed withdrawals, per asset: what users and the fee account hold together.</summary>
    public Dictionary<Asset, decimal> NetDeposits { get; } = [];

    public void Apply(JournalEntry entry)
    {
        foreach (var posting in entry.Postings)
        {
            Postings.Add(posting);
            Balances[posting.Account] = Balance(posting.Account) + posting.Amount;
        }

        var sign = entry.Kind switch
        {
            JournalEntryKind.Deposit => 1,
            JournalEntryKind.WithdrawalCompletion => -1,
            _ => 0,
        };
        if (sign != 0)
        {
            var amount = Math.Abs(entry.Postings[0].Amount);
            var asset = entry.Postings[0].Account.Asset;
            NetDeposits[asset] = NetDeposits.GetValueOrDefault(asset) + sign * amount;
        }
    }

    public decimal Balance(AccountId account) => Balances.GetValueOrDefault(account);

    public decimal Available(long owner, Asset asset) => Balance(AccountId.Available(owner, asset));

    public decimal Held(long owner, Asset asset) => Balance(AccountId.Held(owner, asset));

    public decimal Fees(Asset asset) => Balance(AccountId.Fees(asset));

    public IReadOnlyList<LedgerDiscrepancy> Check() =>
        InvariantChecker.Check(Postings, Balances,
            Orders.Values.Where(o => !o.IsDone).Select(HeldFunds.ForOrder).Concat(PendingWithdrawals.Values));

    public void AssertHealthy()
    {
        var found = Check();
        if (found.Count > 0)
        {
            Assert.Fail("Ledger discrepancies:\n  " + string.Join("\n  ", found));
        }
    }
}

/// <summary>One market wired the way the Worker wires it: hold on placement, engine, settlement, apply.</summary>
internal sealed class LedgerHarness
{
    private readonly MatchEventBuffer _events = new(16);
    private long _nextWithdrawal = 1;
    private long _nextDeposit = 1;

    public LedgerHarness(SpotMarket market)
    {
        Market = market;
        Engine = new MatchingEngine(market.Spec);
        Calculator = new SettlementCalculator(market);
    }

    /// <summary>
    /// BTC-USD with maker 10 bps and taker 20 bps (holds reserve 20 bps), owners 1 to <paramref name="owners"/> holding
    /// $100,000 and 10 BTC each: the book the settlement tests of stops, OCO pairs and amends compute their numbers on.
    /// </summary>
    public static LedgerHarness BtcUsdFunded(int owners = 3)
    {
        var harness = new LedgerHarness(Markets.BtcUsd(makerBps: 10, takerBps: 20));
        for (var owner = 1; owner <= owners; owner++)
        {
            harness.Deposit(owner, harness.Market.Quote, 100_000m);
            harness.Deposit(owner, harness.Market.Base, 10m);
        }

        return harness;
    }

    public SpotMarket Market { get; }

    public MatchingEngine Engine { get; }

    public SettlementCalculator Calculator { get; }

    public TestLedger Ledger { get; } = new();

    public MatchEvent[] LastEvents { get; private set; } = [];

    public void Deposit(long owner, Asset asset, decimal amount) =>
        Ledger.Apply(LedgerOperations.Deposit(_nextDeposit++, owner, asset, amount));

    public long RequestWithdrawal(long owner, Asset asset, decimal amount)
    {
        var id = _nextWithdrawal++;
        Ledger.Apply(LedgerOperations.RequestWithdrawal(id, owner, asset, amount));
        Ledger.PendingWithdrawals.Add(id, HeldFunds.ForWithdrawal(id, owner, asset, amount));
        return id;
    }

    public void FinishWithdrawal(long id, bool complete)
    {
        Assert.True(Ledger.PendingWithdrawals.Remove(id, out var pending));
        Ledger.Apply(complete
            ? LedgerOperations.CompleteWithdrawal(id, pending.Owner, pending.Asset, pending.Amount)
            : LedgerOperations.RejectWithdrawal(id, pending.Owner, pending.Asset, pending.Amount));
    }

    /// <summary>What the API does (hold and store Pending), then what the Worker does.</summary>
    public SettlementResult Place(in PlaceOrder order)
    {
        var placement = LedgerOperations.PlaceOrder(Market, order);
        Ledger.Apply(placement.Hold);
        Ledger.Orders.Add(order.OrderId, placement.Order);
        _events.Clear();
        Engine.Place(order, _events);
        return Settle();
    }

    /// <summary>A one-cancels-the-other pair as the API holds it (once, on the limit leg), then matched and settled.</summary>
    public SettlementResult PlaceOco(in PlaceOrder limit, in PlaceOrder stop)
    {
        var (limitLeg, stopLeg, hold) = LedgerOperations.PlaceOco(Market, limit, stop);
        Ledger.Apply(hold);
        Ledger.Orders.Add(limit.OrderId, limitLeg);
        Ledger.Orders.Add(stop.OrderId, stopLeg);
        _events.Clear();
        Engine.PlaceOco(limit, stop, _events);
        return Settle();
    }

    /// <summary>An amend as the matching host applies it: the extra hold the API took added to the order's before settling.</summary>
    public SettlementResult Amend(long orderId, long price, long quantity)
    {
        var order = Ledger.Orders[orderId];
        var extra = Math.Max(0, order.Amended(price, quantity).RequiredHold(Market) - order.RemainingHold);
        if (LedgerOperations.AmendHold(order, extra) is { } hold)
        {
            Ledger.Apply(hold);
            Ledger.Orders[orderId] = order with { RemainingHold = order.RemainingHold + extra };
        }

        _events.Clear();
        Engine.Amend(orderId, order.Owner, price, quantity - order.FilledQuantity, _events);
        return Settle();
    }

    public SettlementResult Cancel(long orderId, long owner)
    {
        _events.Clear();
        Engine.Cancel(orderId, owner, _events);
        return Settle();
    }

    public SettlementResult CancelAll(long owner)
    {
        _events.Clear();
        Engine.CancelAll(owner, _events);
        return Settle();
    }

    public OrderLedgerState Order(long orderId) => Ledger.Orders[orderId];

    private SettlementResult Settle()
    {
        LastEvents = _events.Events.ToArray();

        // Only the rows the events name, as the Worker loads them.
        var loaded = SettlementCalculator.ReferencedOrderIds(_events.Events)
            .Where(Ledger.Orders.ContainsKey)
            .ToDictionary(id => id, id => Ledger.Orders[id]);
        var result = Calculator.Settle(_events.Events, loaded);
        foreach (var entry in result.Entries)
        {
            Ledger.Apply(entry);
        }

        foreach (var order in result.Orders)
        {
            Ledger.Orders[order.OrderId] = order;
        }

        return result;
    }
}
