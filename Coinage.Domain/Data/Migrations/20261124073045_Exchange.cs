using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    public partial class Exchange : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "assets",
                columns: table => new
                {
                    code = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    precision = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assets", x => x.code);
                });

            migrationBuilder.CreateTable(
                name: "journal_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    kind = table.Column<byte>(type: "smallint", nullable: false),
                    reference_id = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_journal_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "traders",
                columns: table => new
                {
                    owner_id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_traders", x => x.owner_id);
                });

            migrationBuilder.CreateTable(
                name: "balances",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    owner_id = table.Column<long>(type: "bigint", nullable: false),
                    asset = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    kind = table.Column<byte>(type: "smallint", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_balances", x => x.id);
                    table.ForeignKey(
                        name: "fk_balances_assets_asset",
                        column: x => x.asset,
                        principalTable: "assets",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "markets",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    symbol = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    base_asset = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    quote_asset = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    tick_size = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    lot_size = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    min_quantity = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    min_notional = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    maker_fee_bps = table.Column<decimal>(type: "numeric(9,4)", precision: 9, scale: 4, nullable: false),
                    taker_fee_bps = table.Column<decimal>(type: "numeric(9,4)", precision: 9, scale: 4, nullable: false),
                    status = table.Column<byte>(type: "smallint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_markets", x => x.id);
                    table.ForeignKey(
                        name: "fk_markets_assets_base_asset",
                        column: x => x.base_asset,
                        principalTable: "assets",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_markets_assets_quote_asset",
                        column: x => x.quote_asset,
                        principalTable: "assets",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "trades",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    market_id = table.Column<int>(type: "integer", nullable: false),
                    taker_order_id = table.Column<long>(type: "bigint", nullable: false),
                    maker_order_id = table.Column<long>(type: "bigint", nullable: false),
                    taker_owner_id = table.Column<long>(type: "bigint", nullable: false),
                    maker_owner_id = table.Column<long>(type: "bigint", nullable: false),
                    taker_side = table.Column<byte>(type: "smallint", nullable: false),
                    price = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    quantity = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    quote_amount = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    taker_fee = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    maker_fee = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    journal_entry_id = table.Column<long>(type: "bigint", nullable: false),
                    command_sequence = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_trades", x => x.id);
                    table.ForeignKey(
                        name: "fk_trades_journal_entries_journal_entry_id",
                        column: x => x.journal_entry_id,
                        principalTable: "journal_entries",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "deposits",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    owner_id = table.Column<long>(type: "bigint", nullable: false),
                    idempotency_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    asset = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    status = table.Column<byte>(type: "smallint", nullable: false),
                    journal_entry_id = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deposits", x => x.id);
                    table.ForeignKey(
                        name: "fk_deposits_assets_asset",
                        column: x => x.asset,
                        principalTable: "assets",
                        principalColumn: "code",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_deposits_traders_owner_id",
                        column: x => x.owner_id,
                        principalTable: "traders",
                        principalColumn: "owner_id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ledger_postings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    journal_entry_id = table.Column<long>(type: "bigint", nullable: false),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    owner_id = table.Column<long>(type: "bigint", nullable: false),
                    asset = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    kind = table.Column<byte>(type: "smallint", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_postings", x => x.id);
                    table.ForeignKey(
                        name: "fk_ledger_postings_balances_account_id",
                        column: x => x.account_id,
                        principalTable: "balances",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_ledger_postings_journal_entries_journal_entry_id",
                        column: x => x.journal_entry_id,
                        principalTable: "journal_entries",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "market_commands",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    market_id = table.Column<int>(type: "integer", nullable: false),
                    type = table.Column<byte>(type: "smallint", nullable: false),
                    owner_id = table.Column<long>(type: "bigint", nullable: false),
                    order_id = table.Column<long>(type: "bigint", nullable: true),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    result = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_market_commands", x => x.sequence);
                    table.ForeignKey(
                        name: "fk_market_commands_markets_market_id",
                        column: x => x.market_id,
                        principalTable: "markets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    market_id = table.Column<int>(type: "integer", nullable: false),
                    owner_id = table.Column<long>(type: "bigint", nullable: false),
                    client_order_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    request_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    side = table.Column<byte>(type: "smallint", nullable: false),
                    type = table.Column<byte>(type: "smallint", nullable: false),
                    time_in_force = table.Column<byte>(type: "smallint", nullable: false),
                    post_only = table.Column<bool>(type: "boolean", nullable: false),
                    self_trade_prevention = table.Column<byte>(type: "smallint", nullable: false),
                    limit_price_ticks = table.Column<long>(type: "bigint", nullable: false),
                    quantity_lots = table.Column<long>(type: "bigint", nullable: false),
                    quote_budget_units = table.Column<long>(type: "bigint", nullable: false),
                    hold_asset = table.Column<string>(type: "character varying(12)", maxLength: 12, nullable: false),
                    original_hold = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    remaining_hold = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    filled_lots = table.Column<long>(type: "bigint", nullable: false),
                    filled_quote = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    fee_exact = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    fee_paid = table.Column<decimal>(type: "numeric(38,18)", precision: 38, scale: 18, nullable: false),
                    status = table.Column<byte>(type: "smallint", nullable: false),
                    book_priority = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orders", x => x.id);
                    table.ForeignKey(
                        name: "fk_orders_markets_market_id",
                        column: x => x.market_id,
                        principalTable: "markets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_orders_traders_owner_id",
                        column: x => x.owner_id,
                        principalTable: "traders",
                        principalColumn: "owner_id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "assets",
                columns: new[] { "code", "precision" },
                values: new object[,]
                {
                    { "BTC", 8 },
                    { "ETH", 8 },
                    { "USD", 2 }
                });

            migrationBuilder.InsertData(
                table: "balances",
                columns: new[] { "id", "amount", "asset", "kind", "owner_id", "updated_at" },
                values: new object[,]
                {
                    { -6L, 0m, "USD", (byte)3, 0L, new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { -5L, 0m, "USD", (byte)2, 0L, new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { -4L, 0m, "ETH", (byte)3, 0L, new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { -3L, 0m, "ETH", (byte)2, 0L, new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { -2L, 0m, "BTC", (byte)3, 0L, new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) },
                    { -1L, 0m, "BTC", (byte)2, 0L, new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) }
                });

            migrationBuilder.InsertData(
                table: "markets",
                columns: new[] { "id", "base_asset", "created_at", "lot_size", "maker_fee_bps", "min_notional", "min_quantity", "quote_asset", "status", "symbol", "taker_fee_bps", "tick_size" },
                values: new object[,]
                {
                    { 1, "BTC", new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), 0.01m, 10m, 10m, 0.01m, "USD", (byte)0, "BTC-USD", 20m, 1m },
                    { 2, "ETH", new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), 0.1m, 10m, 10m, 0.1m, "USD", (byte)0, "ETH-USD", 20m, 0.1m },
                    { 3, "ETH", new DateTimeOffset(new DateTime(2026, 11, 24, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), 0.001m, 10m, 0.0001m, 0.001m, "BTC", (byte)0, "ETH-BTC", 20m, 0.00001m }
                });

            migrationBuilder.CreateIndex(
                name: "ix_balances_asset",
                table: "balances",
                column: "asset");

            migrationBuilder.CreateIndex(
                name: "ix_balances_owner_id_asset_kind",
                table: "balances",
                columns: new[] { "owner_id", "asset", "kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deposits_asset",
                table: "deposits",
                column: "asset");

            migrationBuilder.CreateIndex(
                name: "ix_deposits_owner_id_idempotency_key",
                table: "deposits",
                columns: new[] { "owner_id", "idempotency_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_journal_entries_kind_reference_id",
                table: "journal_entries",
                columns: new[] { "kind", "reference_id" });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_postings_account_id",
                table: "ledger_postings",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_postings_journal_entry_id",
                table: "ledger_postings",
                column: "journal_entry_id");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_postings_owner_id_id",
                table: "ledger_postings",
                columns: new[] { "owner_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_market_commands_market_id_sequence",
                table: "market_commands",
                columns: new[] { "market_id", "sequence" },
                filter: "processed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_markets_base_asset",
                table: "markets",
                column: "base_asset");

            migrationBuilder.CreateIndex(
                name: "ix_markets_quote_asset",
                table: "markets",
                column: "quote_asset");

            migrationBuilder.CreateIndex(
                name: "ix_markets_symbol",
                table: "markets",
                column: "symbol",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_orders_market_id_book_priority",
                table: "orders",
                columns: new[] { "market_id", "book_priority" },
                filter: "status IN (1, 2)");

            migrationBuilder.CreateIndex(
                name: "ix_orders_owner_id_client_order_id",
                table: "orders",
                columns: new[] { "owner_id", "client_order_id" },
                unique: true,
                filter: "client_order_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_orders_owner_id_id",
                table: "orders",
                columns: new[] { "owner_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_traders_user_id",
                table: "traders",
                column: "user_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_trades_journal_entry_id",
                table: "trades",
                column: "journal_entry_id");

            migrationBuilder.CreateIndex(
                name: "ix_trades_maker_order_id",
                table: "trades",
                column: "maker_order_id");

            migrationBuilder.CreateIndex(
                name: "ix_trades_market_id_id",
                table: "trades",
                columns: new[] { "market_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_trades_taker_order_id_maker_order_id",
                table: "trades",
                columns: new[] { "taker_order_id", "maker_order_id" },
                unique: true);

            // The seeded markets take ids 1-3 explicitly; markets added later start above them.
            migrationBuilder.Sql("SELECT setval(pg_get_serial_sequence('markets', 'id'), 100);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deposits");

            migrationBuilder.DropTable(
                name: "ledger_postings");

            migrationBuilder.DropTable(
                name: "market_commands");

            migrationBuilder.DropTable(
                name: "orders");

            migrationBuilder.DropTable(
                name: "trades");

            migrationBuilder.DropTable(
                name: "balances");

            migrationBuilder.DropTable(
                name: "markets");

            migrationBuilder.DropTable(
                name: "traders");

            migrationBuilder.DropTable(
                name: "journal_entries");

            migrationBuilder.DropTable(
                name: "assets");
        }
    }
}
