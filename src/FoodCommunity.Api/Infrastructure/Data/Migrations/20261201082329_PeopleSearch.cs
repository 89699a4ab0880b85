using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FoodCommunity.Api.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class PeopleSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "user_search_terms",
                columns: table => new
                {
                    term = table.Column<string>(type: "varchar(200)", maxLength: 200, nullable: false, collation: "utf8mb4_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    user_id = table.Column<Guid>(type: "binary(16)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_user_search_terms", x => new { x.term, x.user_id });
                })
                .Annotation("MySql:CharSet", "utf8mb4")
                .Annotation("Relational:Collation", "utf8mb4_unicode_ci");

            migrationBuilder.CreateIndex(
                name: "ix_user_search_terms_user_id",
                table: "user_search_terms",
                column: "user_id");

            // Existing accounts: their usernames, and their display names lower-cased (the API folds
            // them fully, NFKD without marks, whenever a name is next written).
            migrationBuilder.Sql("INSERT IGNORE INTO user_search_terms (term, user_id) SELECT username, id FROM users WHERE deleted_at IS NULL");
            migrationBuilder.Sql("INSERT IGNORE INTO user_search_terms (term, user_id) SELECT LEFT(LOWER(display_name), 200), id FROM users WHERE deleted_at IS NULL AND display_name <> ''");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "user_search_terms");
        }
    }
}
