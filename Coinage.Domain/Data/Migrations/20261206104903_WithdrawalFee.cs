using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    public partial class WithdrawalFee : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "fee",
                table: "withdrawals",
                type: "numeric(38,18)",
                precision: 38,
                scale: 18,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<decimal>(
                name: "withdrawal_fee",
                table: "assets",
                type: "numeric(38,18)",
                precision: 38,
                scale: 18,
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.UpdateData(
                table: "assets",
                keyColumn: "code",
                keyValue: "BTC",
                column: "withdrawal_fee",
                value: 0.0002m);

            migrationBuilder.UpdateData(
                table: "assets",
                keyColumn: "code",
                keyValue: "ETH",
                column: "withdrawal_fee",
                value: 0.002m);

            migrationBuilder.UpdateData(
                table: "assets",
                keyColumn: "code",
                keyValue: "USD",
                column: "withdrawal_fee",
                value: 5m);

            migrationBuilder.AddCheckConstraint(
                name: "ck_withdrawals_fee_not_negative",
                table: "withdrawals",
                sql: "fee >= 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_assets_withdrawal_fee_not_negative",
                table: "assets",
                sql: "withdrawal_fee >= 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_withdrawals_fee_not_negative",
                table: "withdrawals");

            migrationBuilder.DropCheckConstraint(
                name: "ck_assets_withdrawal_fee_not_negative",
                table: "assets");

            migrationBuilder.DropColumn(
                name: "fee",
                table: "withdrawals");

            migrationBuilder.DropColumn(
                name: "withdrawal_fee",
                table: "assets");
        }
    }
}
