# make_corpus.R - writes the CSV corpus of test/lua/test_csv.lua from R's own
# datasets (package datasets, public domain data shipped with R), each file
# with one of the oddities real exports have, and prints what R's read.csv /
# read.csv2 and data.table::fread read from it (the test's reference values).
#   cd test/data/csv && Rscript make_corpus.R > reference.txt
suppressMessages(library(data.table))
options(digits = 15)
aq <- datasets::airquality
w <- function(df, file, ...) write.table(df, file, row.names = FALSE, ...)

# 1. CRLF (Windows export), NA as written by R
w(aq, "airquality_crlf.csv", sep = ",", eol = "\r\n")
# 2. CR only (old Mac export, as some statistics packages still write)
w(aq, "airquality_cr.csv", sep = ",", eol = "\r")
# 3. CR CR LF (a CRLF file converted once more)
w(datasets::esoph, "esoph_crcrlf.csv", sep = ",", eol = "\r\r\n")
# 4. European: ; and decimal comma, row names under an empty header name
write.csv2(datasets::mtcars, "mtcars_csv2.csv")
# 5. tab separated without a header
write.table(datasets::quakes, "quakes_noheader.tsv", sep = "\t", row.names = FALSE, col.names = FALSE)
# 6. UTF-8 BOM and | separator
con <- file("co2_bom_pipe.csv", "wb"); writeBin(as.raw(c(0xEF, 0xBB, 0xBF)), con); close(con)
suppressWarnings(write.table(as.data.frame(datasets::CO2), "co2_bom_pipe.csv", sep = "|", row.names = FALSE, append = TRUE, quote = FALSE))
# 7. dates: ISO, d/m/Y and a datetime with an offset
d <- as.Date(sprintf("1973-%02d-%02d", aq$Month, aq$Day))
dates <- data.frame(iso = format(d), dmy = format(d, "%d/%m/%Y"),
                    stamp = format(as.POSIXct(d, tz = "UTC") + 3600 * 9.5, "%Y-%m-%dT%H:%M:%S+02:00"),
                    ozone = aq$Ozone)
w(dates, "airquality_dates.csv", sep = ",", quote = FALSE, na = "")
# 8. quoted fields with separators, doubled quotes and line breaks
j <- datasets::USJudgeRatings
judges <- data.frame(judge = rownames(j), note = ifelse(seq_len(nrow(j)) %% 3 == 0,
                     paste0("rated \"", round(j$RTEN, 1), "\"\nby lawyers"), paste0("contacts ", j$CONT)),
                     integrity = j$INTG)
w(judges, "judges_quoted.csv", sep = ",", qmethod = "double")
# 9. Latin-1 text (French month names)
mois <- c("mai", "juin", "juillet", "ao\u00fbt", "septembre")
lat <- data.frame(mois = mois[aq$Month - 4], jour = aq$Day, temp = aq$Temp)
w(lat, "airquality_latin1.csv", sep = ",", fileEncoding = "latin1")
# 10. gzip
w(aq, gzfile("airquality.csv.gz"), sep = ",")

ref <- function(file, r, f) {
  cat(sprintf("%s read.csv: %d rows, %d cols\n", file, nrow(r), ncol(r)))
  if (!is.null(f)) cat(sprintf("  fread: %d rows, %d cols\n", nrow(f), ncol(f)))
  if (!is.null(f)) cat("  fread classes:", sapply(f, function(x) class(x)[1]), "\n")
  if (!is.null(f)) cat("  fread NA counts:", sapply(f, function(x) sum(is.na(x))), "\n")
  cat("  read.csv NA counts:", sapply(r, function(x) sum(is.na(x))), "\n")
  if (!is.null(f)) cat("  fread means:", sapply(f[, sapply(f, is.numeric), with = FALSE], function(x) format(mean(x, na.rm = TRUE), digits = 15)), "\n")
  cat("  read.csv classes:", sapply(r, function(x) class(x)[1]), "\n")
  cat("  read.csv means:", sapply(r[sapply(r, is.numeric)], function(x) format(mean(x, na.rm = TRUE), digits = 15)), "\n")
}
ref("airquality_crlf.csv", read.csv("airquality_crlf.csv"), fread("airquality_crlf.csv"))
ref("airquality_cr.csv", read.csv("airquality_cr.csv"), fread("airquality_cr.csv"))
ref("esoph_crcrlf.csv", read.csv("esoph_crcrlf.csv"), fread("esoph_crcrlf.csv"))
ref("mtcars_csv2.csv", read.csv2("mtcars_csv2.csv"), fread("mtcars_csv2.csv"))
ref("quakes_noheader.tsv", read.delim("quakes_noheader.tsv", header = FALSE), fread("quakes_noheader.tsv"))
ref("co2_bom_pipe.csv", read.csv("co2_bom_pipe.csv", sep = "|", fileEncoding = "UTF-8-BOM"), fread("co2_bom_pipe.csv"))
ref("airquality_dates.csv", read.csv("airquality_dates.csv"), fread("airquality_dates.csv"))
ref("judges_quoted.csv", read.csv("judges_quoted.csv"), NULL)   # fread 1.14.8 mis-splits this file
ref("airquality_latin1.csv", read.csv("airquality_latin1.csv", fileEncoding = "latin1"), fread("airquality_latin1.csv", encoding = "Latin-1"))
ref("airquality.csv.gz", read.csv("airquality.csv.gz"), NULL)    # fread needs R.utils for .gz
cat("dates: dmy as R reads it:", as.numeric(as.Date("02/05/1973", "%d/%m/%Y")),
    " stamp 1:", as.numeric(as.POSIXct("1973-05-01 09:30:00", tz = "UTC") - 7200), "\n")
cat("latin1 month 4:", unique(lat$mois)[4], " mtcars rownames 1:", rownames(datasets::mtcars)[1], "\n")
jr <- read.csv("judges_quoted.csv")
cat("judges row 3 note:", deparse(jr$note[3]), " judge 1:", jr$judge[1], "\n")
cat("esoph agegp levels:", levels(factor(read.csv("esoph_crcrlf.csv")$agegp)), "\n")
