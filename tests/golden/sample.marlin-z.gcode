; strokebot VERSION, profile marlin-z (bundled): Marlin machine with the pen on
; the Z axis; depth follows pressure
; page 60 x 20 mm, Y up: flipped against the page height, pen width 1.5 mm
; 3 strokes, 14 points (simplified from 14, tolerance 0.75 mm)
; pen-down length 82.8 mm, pen-up travel 19.7 mm
; estimated plot time 10.9 s, the whole program from X0 Y0 Z0 (feed 1500
; mm/min, travel 3000 mm/min, plunge 300 mm/min); it assumes Marlin M203 X100
; Y100 Z10 mm/s, M201 X500 Y500 Z100 mm/s^2 (see yours with M503): a machine
; set slower plots slower
G90
G0 Z3.000 F300
G0 X21.000 Y10.000 F3000
G1 Z-0.500 F300
G1 X19.243 Y5.050 Z-0.641 F1500
G1 X15.000 Y3.000 Z-0.700
G1 X10.757 Y5.050 Z-0.641
G1 X9.000 Y10.000 Z-0.500
G1 X10.757 Y14.950 Z-0.359
G1 X15.000 Y17.000 Z-0.300
G1 X19.243 Y14.950 Z-0.359
G1 X21.000 Y10.000 Z-0.500
G0 Z3.000 F300
G0 X35.000 Y17.000 F3000
G1 Z-0.200 F300
G1 X38.000 Y3.000 Z-0.800 F1500
G1 X41.000 Y17.000 Z-0.500
G1 X44.000 Y3.000 Z-0.900
G0 Z3.000 F300
G0 X47.500 Y5.000 F3000
G1 Z-0.600 F300
G0 Z3.000 F300
G0 X0 Y0 F3000
M400
M84
