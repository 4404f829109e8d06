/* mac: Ethernet MAC addresses as text. Read the way ip(8) reads them, each
 * of six ':'-separated octets one or more hex digits worth at most ff (so
 * bash bocker's 02:42:ac:11:001:74 is 02:42:ac:11:01:74), and written in
 * the canonical form (two lower-case digits an octet). */
#ifndef BK_MAC_H
#define BK_MAC_H

#define BK_MAC_STRLEN 18   /* "xx:xx:xx:xx:xx:xx" and its NUL */

/* An interface's MAC (unicast, not all zeros) into mac[6]. What ip(8)
 * reads only by accident of sscanf("%x") ("0x02", " 02", "1g") is refused. */
int bk_mac_parse(const char *s, unsigned char mac[6]);
void bk_mac_format(const unsigned char mac[6], char buf[BK_MAC_STRLEN]);

#endif
