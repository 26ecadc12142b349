using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Ledger;

public sealed class JournalTests
{
    private static readonly AccountId AliceUsd = AccountId.Available(1, Asset.Usd);
    private static readonly AccountId BobUsd = AccountId.Available(2, Asset.Usd);
    private static readonly AccountId AliceBtc = AccountId.Available(1, Asset.Btc);
    private static readonly AccountId BobBtc = AccountId.Available(2, Asset.Btc);

    [Fact]
    public void A_balanced_entry_may_span_several_assets()
    {
        var entry = new JournalEntry(JournalEntryKind.TradeSettlement, 7,
            [new(AliceUsd, -100m), new(BobUsd, 100m), new(BobBtc, -0.5m), new(AliceBtc, 0.5m)]);
        Assert.Equal(4, entry.Postings.Count);
        Assert.Equal(7, entry.ReferenceId);
    }

    [Fact]
    public void An_entry_must_sum_to_zero_per_asset()
    {
        // Balanced in total, but USD is created and BTC destroyed.
        var ex = Assert.Throws<ArgumentException>(() => new JournalEntry(JournalEntryKind.TradeSettlement, 1,
            [new(AliceUsd, -1m), new(BobUsd, 2m), new(AliceBtc, -1m)]));
        Assert.Contains("unbalanced", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new JournalEntry(JournalEntryKind.Deposit, 1, [new(AliceUsd, -1m), new(BobUsd, 0.99m)]));
    }

    [Fact]
    public void Zero_single_and_off_grid_postings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new JournalEntry(JournalEntryKind.Deposit, 1, [new(AliceUsd, 0m), new(BobUsd, 0m)]));
        Assert.Throws<ArgumentException>(() => new JournalEntry(JournalEntryKind.Deposit, 1, [new(AliceUsd, 0m)]));
        Assert.Throws<ArgumentException>(() => new JournalEntry(JournalEntryKind.Deposit, 1, [new(AliceUsd, -0.001m), new(BobUsd, 0.001m)]));
        Assert.Throws<ArgumentException>(() => new JournalEntry(JournalEntryKind.Deposit, 1, [new(AliceUsd, -1m), new(default, 1m)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JournalEntry((JournalEntryKind)99, 1, [new(AliceUsd, -1m), new(BobUsd, 1m)]));
    }

    [Fact]
    public void System_and_user_accounts_are_distinct()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AccountId.Available(0, Asset.Usd));
        Assert.Throws<ArgumentNullException>(() => AccountId.Fees(null!));
        Assert.Equal(AccountId.SystemOwner, AccountId.External(Asset.Usd).Owner);
        Assert.True(AccountId.Fees(Asset.Usd).IsSystem);
        Assert.False(AccountId.Held(3, Asset.Usd).IsSystem);
        Assert.NotEqual(AccountId.Held(3, Asset.Usd), AccountId.Available(3, Asset.Usd));
        Assert.Equal(AccountId.Held(3, new Asset("USD", 2)), AccountId.Held(3, Asset.Usd));
    }

    [Fact]
    public void Deposit_and_withdrawals_move_between_the_expected_accounts()
    {
        Assert.Equal([new(AccountId.External(Asset.Btc), -1.25m), new(AccountId.Available(4, Asset.Btc), 1.25m)],
            LedgerOperations.Deposit(10, 4, Asset.Btc, 1.25m).Postings);
        Assert.Equal([new(AccountId.Available(4, Asset.Btc), -1m), new(AccountId.Held(4, Asset.Btc), 1m)],
            LedgerOperations.RequestWithdrawal(11, 4, Asset.Btc, 1m).Postings);
        Assert.Equal([new(AccountId.Held(4, Asset.Btc), -1m), new(AccountId.External(Asset.Btc), 1m)],
            LedgerOperations.CompleteWithdrawal(11, 4, Asset.Btc, 1m).Postings);
        Assert.Equal([new(AccountId.Held(4, Asset.Btc), -1m), new(AccountId.Available(4, Asset.Btc), 1m)],
            LedgerOperations.RejectWithdrawal(11, 4, Asset.Btc, 1m).Postings);
        Assert.Equal(JournalEntryKind.WithdrawalRejection, LedgerOperations.RejectWithdrawal(11, 4, Asset.Btc, 1m).Kind);
    }

    [Fact]
    public void A_withdrawal_fee_is_held_with_the_amount_booked_to_the_fee_account_on_completion_and_released_with_it()
    {
        Assert.Equal([new(AccountId.Available(4, Asset.Btc), -1.0002m), new(AccountId.Held(4, Asset.Btc), 1.0002m)],
            LedgerOperations.RequestWithdrawal(11, 4, Asset.Btc, 1m, 0.0002m).Postings);
        // One entry: the amount leaves, the fee is the exchange's revenue.
        var completion = LedgerOperations.CompleteWithdrawal(11, 4, Asset.Btc, 1m, 0.0002m);
        Assert.Equal(JournalEntryKind.WithdrawalCompletion, completion.Kind);
        Assert.Equal([new(AccountId.Held(4, Asset.Btc), -1.0002m), new(AccountId.External(Asset.Btc), 1m), new(AccountId.Fees(Asset.Btc), 0.0002m)],
            completion.Postings);
        Assert.Equal([new(AccountId.Held(4, Asset.Btc), -1.0002m), new(AccountId.Available(4, Asset.Btc), 1.0002m)],
            LedgerOperations.RejectWithdrawal(11, 4, Asset.Btc, 1m, 0.0002m).Postings);
        // A fee of zero posts nothing to the fee account.
        Assert.Equal(2, LedgerOperations.CompleteWithdrawal(11, 4, Asset.Btc, 1m, 0m).Postings.Count);
    }

    [Theory]
    [InlineData("-0.01")]
    [InlineData("0.001")]
    [InlineData("999999999999999.01")]
    public void A_withdrawal_fee_below_zero_off_the_grid_or_taking_the_hold_past_the_maximum_is_refused(string text)
    {
        var fee = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerOperations.RequestWithdrawal(1, 1, Asset.Usd, 1m, fee));
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerOperations.CompleteWithdrawal(1, 1, Asset.Usd, 1m, fee));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("0.001")]
    [InlineData("1000000000000001")]
    public void Edge_amounts_are_validated(string text)
    {
        var amount = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerOperations.Deposit(1, 1, Asset.Usd, amount));
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerOperations.RequestWithdrawal(1, 1, Asset.Usd, amount));
    }

    [Fact]
    public void A_limit_buy_holds_its_notional_plus_the_dearer_fee_rounded_up()
    {
        var market = Markets.BtcUsd(makerBps: 10, takerBps: 20);
        var placement = LedgerOperations.PlaceOrder(market, PlaceOrder.Limit(1, 9, Side.Buy, price: 33_333, quantity: 1));
        // 333.33 + 0.2 % (0.66666 → 0.67)
        Assert.Equal(334.00m, placement.Order.OriginalHold);
        Assert.Equal(334.00m, placement.Order.RemainingHold);
        Assert.Equal(OrderStatus.Pending, placement.Order.Status);
        Assert.Equal(Asset.Usd, placement.Order.HoldAsset);
        Assert.Equal(JournalEntryKind.OrderHold, placement.Hold.Kind);
        Assert.Equal([new(AccountId.Available(9, Asset.Usd), -334.00m), new(AccountId.Held(9, Asset.Usd), 334.00m)], placement.Hold.Postings);

        // Makers dearer than takers: the hold still covers the worst case.
        var odd = Markets.BtcUsd(makerBps: 30, takerBps: 0);
        Assert.Equal(5_015.00m, LedgerOperations.PlaceOrder(odd, PlaceOrder.Limit(1, 9, Side.Buy, 50_000, 10)).Order.OriginalHold);
    }

    [Fact]
    public void Sells_hold_their_base_quantity()
    {
        var market = Markets.BtcUsd();
        var limit = LedgerOperations.PlaceOrder(market, PlaceOrder.Limit(1, 9, Side.Sell, 50_000, 25));
        Assert.Equal(0.25m, limit.Order.OriginalHold);
        Assert.Equal(Asset.Btc, limit.Order.HoldAsset);
        var marketSell = LedgerOperations.PlaceOrder(market, PlaceOrder.Market(2, 9, Side.Sell, 7, TimeInForce.FillOrKill));
        Assert.Equal(0.07m, marketSell.Order.OriginalHold);
        Assert.Equal([new(AccountId.Available(9, Asset.Btc), -0.07m), new(AccountId.Held(9, Asset.Btc), 0.07m)], marketSell.Hold.Postings);
    }

    [Fact]
    public void A_market_buy_by_quote_holds_its_budget_plus_fee()
    {
        var market = Markets.BtcUsd(makerBps: 10, takerBps: 20);
        var placement = LedgerOperations.PlaceOrder(market, PlaceOrder.MarketBuyWithQuote(1, 9, quoteBudget: 200_000));
        Assert.Equal(2_004.00m, placement.Order.OriginalHold);
        Assert.Equal(200_000, placement.Order.QuoteBudget);
    }

    [Fact]
    public void A_market_buy_by_base_quantity_cannot_be_held()
    {
        var market = Markets.BtcUsd();
        Assert.Throws<NotSupportedException>(() => LedgerOperations.PlaceOrder(market, PlaceOrder.Market(1, 9, Side.Buy, 5)));
    }

    [Fact]
    public void Invalid_orders_get_no_hold()
    {
        var market = Markets.BtcUsd();
        Assert.Throws<ArgumentException>(() => LedgerOperations.PlaceOrder(market, PlaceOrder.Limit(1, 9, Side.Buy, 0, 5)));
        Assert.Throws<ArgumentException>(() => LedgerOperations.PlaceOrder(market, PlaceOrder.Limit(1, 9, Side.Buy, 5, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerOperations.PlaceOrder(market, PlaceOrder.Limit(1, 0, Side.Buy, 5, 5)));
        Assert.Throws<ArgumentException>(() => LedgerOperations.PlaceOrder(market,
            PlaceOrder.MarketBuyWithQuote(1, 9, 100) with { Side = Side.Sell }));
        // 10^7 ticks × 10^7 lots × 0.01 = 10^12 USD fits; a bigger grid is refused at the edge.
        var huge = new SpotMarket(new MarketSpec("BTC-USD", 1m, 0.01m), Asset.Btc, Asset.Usd, 0, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerOperations.PlaceOrder(huge, PlaceOrder.Limit(1, 9, Side.Buy, 1_000_000_000_000, 1_000_000)));
    }
}
