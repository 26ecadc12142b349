using Coinage.Domain.Audit;
using Coinage.Domain.Exchange;
using Coinage.Domain.Identity;
using Coinage.Domain.Operations;
using Coinage.Domain.Outbox;
using Coinage.Domain.Reconciliation;
using Coinage.Domain.Privacy;
using Coinage.Domain.Search;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coinage.Domain.Data;

/// <summary>
/// The one database of the exchange (<c>coinagedb</c>). Tables and columns are snake_case;
/// each entity configures itself in an <see cref="IEntityTypeConfiguration{TEntity}"/> beside it.
/// Identity's tables keep Identity's model, renamed to snake_case (<c>users</c>, <c>roles</c>, …).
/// </summary>
public sealed class CoinageDbContext(DbContextOptions<CoinageDbContext> options)
    : IdentityDbContext<CoinageUser, CoinageRole, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Heartbeat> Heartbeats => Set<Heartbeat>();
    public DbSet<RefreshSession> RefreshSessions => Set<RefreshSession>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();
    public DbSet<KnownDevice> KnownDevices => Set<KnownDevice>();
    public DbSet<Passkey> Passkeys => Set<Passkey>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ConsentRecord> ConsentRecords => Set<ConsentRecord>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<AssetRecord> Assets => Set<AssetRecord>();
    public DbSet<MarketRecord> Markets => Set<MarketRecord>();
    public DbSet<Trader> Traders => Set<Trader>();
    public DbSet<BalanceRecord> Balances => Set<BalanceRecord>();
    public DbSet<JournalEntryRecord> JournalEntries => Set<JournalEntryRecord>();
    public DbSet<PostingRecord> Postings => Set<PostingRecord>();
    public DbSet<OrderRecord> Orders => Set<OrderRecord>();
    public DbSet<TradeRecord> Trades => Set<TradeRecord>();
    public DbSet<MarketCommand> MarketCommands => Set<MarketCommand>();
    public DbSet<DepositRecord> Deposits => Set<DepositRecord>();
    public DbSet<ReconciliationRun> ReconciliationRuns => Set<ReconciliationRun>();
    public DbSet<Funding.WithdrawalRecord> Withdrawals => Set<Funding.WithdrawalRecord>();
    public DbSet<Funding.WithdrawalAddressRecord> WithdrawalAddresses => Set<Funding.WithdrawalAddressRecord>();
    public DbSet<PrivacyExport> PrivacyExports => Set<PrivacyExport>();
    public DbSet<ErasureRequest> ErasureRequests => Set<ErasureRequest>();
    public DbSet<RetentionRun> RetentionRuns => Set<RetentionRun>();
    public DbSet<SearchCheckpoint> SearchCheckpoints => Set<SearchCheckpoint>();
    public DbSet<SearchErasure> SearchErasures => Set<SearchErasure>();

    /// <summary>Data Protection's key ring, shared by every replica (2FA secrets, email and reset tokens).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Conventions.Replace<ForeignKeyIndexConvention>(services => new UnindexedForeignKeysConvention(services.GetRequiredService<ProviderConventionSetBuilderDependencies>()));
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<CoinageUser>().ToTable("users");
        modelBuilder.Entity<CoinageRole>().ToTable("roles");
        modelBuilder.Entity<IdentityUserRole<Guid>>().ToTable("user_roles");
        modelBuilder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        modelBuilder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        modelBuilder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");
        modelBuilder.Entity<IdentityRoleClaim<Guid>>().ToTable("role_claims");
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CoinageDbContext).Assembly);
    }

    /// <summary>
    /// The provider options shared by the running services and the design-time factory, so a
    /// migration is generated from exactly the model the services run with.
    /// </summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataSource);
        // No EnableRetryOnFailure: a retrying execution strategy cannot replay user-initiated
        // transactions, and the ledger and order paths use explicit transactions throughout.
        return options
            .UseNpgsql(dataSource, npgsql => npgsql.MigrationsAssembly(typeof(CoinageDbContext).Assembly.GetName().Name))
            .UseSnakeCaseNamingConvention()
            // The FirstOrDefault queries it warns about are FromSql queries that carry their own ORDER BY … LIMIT 1
            // (the SKIP LOCKED job queues): EF cannot see that, and the warning filled the Worker's log.
            .ConfigureWarnings(warnings => warnings.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.FirstWithoutOrderByAndFilterWarning));
    }
}
