/* zc_report_page.h - the fixed parts of the page `zcpack report` writes. */
#ifndef ZC_REPORT_PAGE_H
#define ZC_REPORT_PAGE_H

/* Everything before the data block: doctype, head with the style, the body's
 * sections. */
extern const char zc__report_page_head[];

/* Everything after it: the script, the end of the body. */
extern const char zc__report_page_tail[];

#endif /* ZC_REPORT_PAGE_H */
