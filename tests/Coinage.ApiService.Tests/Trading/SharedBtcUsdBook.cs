namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// Test classes that trade on the shared database's BTC-USD at prices that cross each other's: the erasure test's ask
/// at 500 is the best ask for the settlement test's buy at 50,100, and when the two ran side by side each took the
/// other's fill (CI, session 12). They run one after the other instead of racing for the same book.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedBtcUsdBook
{
    public const string Name = "BTC-USD book, crossing prices";
}
