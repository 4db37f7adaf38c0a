# make_fixtures.R - writes the SPSS/Stata/SAS fixtures of test/lua/test_readstat.lua
# with R's haven (2.5.1, Debian 12's r-cran-haven):  Rscript make_fixtures.R
library(haven)
n <- 6
df <- data.frame(
  id = 1:n,
  score = c(1.5, NA, -2.25, 1e6, 0, 3.125),
  name = c("ann", "bob", "", "dé", "eve", "fay"),
  when = as.Date(c("2020-01-01", "1969-12-31", NA, "2024-02-29", "1960-01-01", "2000-06-15")),
  stamp = as.POSIXct(c("2020-01-01 12:30:00", NA, "1970-01-01 00:00:01", "2024-02-29 23:59:59",
                       "1999-12-31 00:00:00", "2001-09-09 01:46:40"), tz = "UTC"),
  stringsAsFactors = FALSE)
df$group <- labelled(c(1L, 2L, 2L, NA, 3L, 1L), c(low = 1L, mid = 2L, high = 3L))
attr(df$id, "label") <- "Row id"
attr(df$score, "label") <- "Test score"
attr(df$group, "label") <- "Group"

# Stata: .a tagged missing in score, written as version 15 (118)
st <- df
st$score <- c(1.5, tagged_na("a"), -2.25, 1e6, 0, 3.125)
attr(st$score, "label") <- "Test score"
write_dta(st, "labelled.dta", version = 15)

# SPSS: 99 is a user-missing code of score; .sav and compressed .zsav
sp <- df
sp$score <- labelled_spss(c(1.5, 99, -2.25, 1e6, 0, 3.125), c(refused = 99), na_values = 99, label = "Test score")
write_sav(sp, "labelled.sav")
write_sav(sp, "labelled.zsav", compress = "zsav")

# SAS transport (names at most 8 characters)
write_xpt(df[, c("id", "score", "name", "when")], "plain.xpt", version = 8)

# SAS .sas7bdat (haven's write_sas is deprecated, but it still writes through readstat)
suppressWarnings(write_sas(df[, c("id", "score", "name", "when")], "plain.sas7bdat"))
