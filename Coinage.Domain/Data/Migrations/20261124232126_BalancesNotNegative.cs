using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Coinage.Domain.Data.Migrations
{
    /// <inheritdoc />
    public partial class BalancesNotNegative : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddCheckConstraint(
                name: "ck_balances_not_negative",
                table: "balances",
                sql: "kind = 2 OR amount >= 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_balances_not_negative",
                table: "balances");
        }
    }
}
