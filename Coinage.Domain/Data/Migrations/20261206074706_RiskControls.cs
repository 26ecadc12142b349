using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    /// <summary>
    /// Risk controls per market (price band, size and notional caps, open-order cap, circuit breaker and its periods),
    /// the status's source and the breaker's phase end, and a trader's trading suspension (docs/exchange.md, "Risk
    /// controls"). Every market gets the defaults (10 % band, 200 open orders, a breaker at 15 % in 5 minutes with
    /// 5 minutes of halt and 1 of cancel-only); the seeded ones also get size and notional caps.
    /// </summary>
    public partial class RiskControls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "trading_suspended_at",
                table: "traders",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "breaker_cancel_only_seconds",
                table: "markets",
                type: "integer",
                nullable: false,
                defaultValue: 60);

            migrationBuilder.AddColumn<int>(
                name: "breaker_halt_seconds",
                table: "markets",
                type: "integer",
                nullable: false,
                defaultValue: 300);

            migrationBuilder.AddColumn<int>(
                name: "breaker_move_bps",
                table: "markets",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "breaker_window_seconds",
                table: "markets",
                type: "integer",
                nullable: false,
                defaultValue: 300);

            migrationBuilder.AddColumn<decimal>(
                name: "max_order_notional",
                table: "markets",
                type: "numeric(38,18)",
                precision: 38,
                scale: 18,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "max_order_size",
                table: "markets",
                type: "numeric(38,18)",
                precision: 38,
                scale: 18,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "open_order_limit",
                table: "markets",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "price_band_bps",
                table: "markets",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "status_changed_at",
                table: "markets",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<byte>(
                name: "status_source",
                table: "markets",
                type: "smallint",
                nullable: false,
                defaultValue: (byte)0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "status_until",
                table: "markets",
                type: "timestamp with time zone",
                nullable: true);

            // Markets an Admin added before this migration: the defaults a new market gets (MarketRecord).
            migrationBuilder.Sql("UPDATE markets SET price_band_bps = 1000, open_order_limit = 200, breaker_move_bps = 1500");

            migrationBuilder.CreateIndex(
                name: "ix_orders_owner_id_market_id_resting",
                table: "orders",
                columns: new[] { "owner_id", "market_id" },
                filter: "book_priority IS NOT NULL");

            migrationBuilder.UpdateData(
                table: "markets",
                keyColumn: "id",
                keyValue: 1,
                columns: new[] { "breaker_cancel_only_seconds", "breaker_halt_seconds", "breaker_move_bps", "breaker_window_seconds", "max_order_notional", "max_order_size", "open_order_limit", "price_band_bps", "status_changed_at", "status_source", "status_until" },
                values: new object[] { 60, 300, 1500, 300, 10000000m, 100m, 200, 1000, null, (byte)0, null });

            migrationBuilder.UpdateData(
                table: "markets",
                keyColumn: "id",
                keyValue: 2,
                columns: new[] { "breaker_cancel_only_seconds", "breaker_halt_seconds", "breaker_move_bps", "breaker_window_seconds", "max_order_notional", "max_order_size", "open_order_limit", "price_band_bps", "status_changed_at", "status_source", "status_until" },
                values: new object[] { 60, 300, 1500, 300, 10000000m, 2000m, 200, 1000, null, (byte)0, null });

            migrationBuilder.UpdateData(
                table: "markets",
                keyColumn: "id",
                keyValue: 3,
                columns: new[] { "breaker_cancel_only_seconds", "breaker_halt_seconds", "breaker_move_bps", "breaker_window_seconds", "max_order_notional", "max_order_size", "open_order_limit", "price_band_bps", "status_changed_at", "status_source", "status_until" },
                values: new object[] { 60, 300, 1500, 300, 200m, 2000m, 200, 1000, null, (byte)0, null });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_orders_owner_id_market_id_resting",
                table: "orders");

            migrationBuilder.DropColumn(
                name: "trading_suspended_at",
                table: "traders");

            migrationBuilder.DropColumn(
                name: "breaker_cancel_only_seconds",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "breaker_halt_seconds",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "breaker_move_bps",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "breaker_window_seconds",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "max_order_notional",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "max_order_size",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "open_order_limit",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "price_band_bps",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "status_changed_at",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "status_source",
                table: "markets");

            migrationBuilder.DropColumn(
                name: "status_until",
                table: "markets");
        }
    }
}
